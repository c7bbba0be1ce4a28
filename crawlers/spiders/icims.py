from crawlers.platforms.icims import IcimsSpider


class IcimsPortalsSpider(IcimsSpider):
    """iCIMS career portals (``*.icims.com``): search pages, then each posting's JSON-LD."""

    name = "icims"
