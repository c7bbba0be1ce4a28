from crawlers.platforms.jobaps import JobApsSpider


class JobApsBoardsSpider(JobApsSpider):
    """JobAps merit-system boards (state and county jobs) and their recruitment bulletins."""

    name = "jobaps"
