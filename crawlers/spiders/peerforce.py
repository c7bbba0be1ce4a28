from crawlers.platforms.peerforce import WpJobManagerSpider


class PeerForceSpider(WpJobManagerSpider):
    """PeerForce, the Texas peer-workforce job board (WordPress + WP Job Manager)."""

    name = "peerforce"
