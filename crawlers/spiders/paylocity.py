from crawlers.platforms.paylocity import PaylocitySpider


class PaylocityBoardsSpider(PaylocitySpider):
    """Paylocity Recruiting job boards (``recruiting.paylocity.com``): embedded list, HTML details."""

    name = "paylocity"
