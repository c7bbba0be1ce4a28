from crawlers.platforms.pageup import PageUpSpider


class PageUpCareerSitesSpider(PageUpSpider):
    """PageUp People career sites (careers.pageuppeople.com) through their RSS feed."""

    name = "pageup"
