from crawlers.platforms.usajobs import UsajobsSearchSpider


class UsajobsSpider(UsajobsSearchSpider):
    """Open federal announcements, USAJOBS Search API (needs USAJOBS_API_KEY, USAJOBS_EMAIL)."""

    name = "usajobs"
