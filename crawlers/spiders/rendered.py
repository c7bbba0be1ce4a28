from crawlers.platforms.rendered import RenderedSpider


class RenderedCareerPagesSpider(RenderedSpider):
    """Career pages whose listings appear only after JavaScript runs, rendered by chromium."""

    name = "rendered"
