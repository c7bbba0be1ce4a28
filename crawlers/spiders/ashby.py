from crawlers.platforms.ashby import AshbySpider


class AshbyBoardsSpider(AshbySpider):
    """Ashby job boards: ``scrapy crawl ashby -a board=<job-board name>``."""

    name = "ashby"
