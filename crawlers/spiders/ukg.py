from crawlers.platforms.ukg import UkgSpider


class UkgJobBoardsSpider(UkgSpider):
    """UKG Pro (UltiPro) Recruiting job boards, where their robots.txt permits the list."""

    name = "ukg"
