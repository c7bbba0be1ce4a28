from crawlers.platforms.ncpss import NcPssSpider


class NcPeerSupportJobsSpider(NcPssSpider):
    """The NC Certified Peer Support Specialist Program job board (pss.unc.edu/pssjobs)."""

    name = "ncpss"
