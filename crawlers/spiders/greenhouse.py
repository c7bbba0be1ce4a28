from crawlers.platforms.greenhouse import GreenhouseSpider


class GreenhouseBoardsSpider(GreenhouseSpider):
    """Greenhouse job boards: ``scrapy crawl greenhouse -a board=<board token>``."""

    name = "greenhouse"
