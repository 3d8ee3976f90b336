"""English dates as the United Nations writes them ("5 November 2014"), not Django's US default
("Nov. 5, 2014"). Spanish, French and Arabic use Django's own formats for those languages."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
