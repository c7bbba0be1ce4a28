from crawlers.platforms.workday import WorkdaySpider


class WorkdayCareerSitesSpider(WorkdaySpider):
    """Workday career sites (``*.myworkdayjobs.com``) through their public CXS JSON."""

    name = "workday"
