from crawlers.platforms.usajobs_historic import UsajobsHistoricJoaSpider


class UsajobsHistoricSpider(UsajobsHistoricJoaSpider):
    """Federal announcements of the peer occupational series, USAJOBS Historic JOA API."""

    name = "usajobs_historic"
