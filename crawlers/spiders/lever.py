from crawlers.platforms.lever import LeverSpider


class LeverSitesSpider(LeverSpider):
    """Lever job sites: ``scrapy crawl lever -a board=<site>`` (EU sites: ``eu = true``)."""

    name = "lever"
