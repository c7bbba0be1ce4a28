from crawlers.platforms.paycom import PaycomSpider


class PaycomPortalsSpider(PaycomSpider):
    """Paycom career portals (``paycomonline.net``) through their anonymous job-posting service."""

    name = "paycom"
