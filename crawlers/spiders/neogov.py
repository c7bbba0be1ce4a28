from crawlers.platforms.neogov import NeogovSpider


class NeogovAgenciesSpider(NeogovSpider):
    """NEOGOV agency boards on governmentjobs.com and schooljobs.com (HTML listing, bulletins)."""

    name = "neogov"
