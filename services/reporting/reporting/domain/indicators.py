"""The outcome indicators an impact report records (the "building blocks for people and places")."""

INDICATORS: tuple[str, ...] = (
    "places_to_meet",
    "civic_organisations",
    "residents_engaged",
    "volunteering_hours",
    "people_into_education",
    "people_into_employment",
    "health_activities",
)

LABELS: dict[str, str] = {
    "places_to_meet": "Places to meet",
    "civic_organisations": "Civic organisations",
    "residents_engaged": "Residents engaged",
    "volunteering_hours": "Volunteering hours",
    "people_into_education": "People into education",
    "people_into_employment": "People into employment",
    "health_activities": "Health activities",
}
