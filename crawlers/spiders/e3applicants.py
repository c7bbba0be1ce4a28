from crawlers.platforms.e3applicants import E3ApplicantsSpider


class E3ApplicantsBoardsSpider(E3ApplicantsSpider):
    """e3applicants tenant career boards (``<tenant>.e3applicants.com/careers/``)."""

    name = "e3applicants"
