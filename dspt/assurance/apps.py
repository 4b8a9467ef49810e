from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "dspt.assurance"
    label = "assurance"
    verbose_name = "Independent assessment"

    def ready(self) -> None:
        from dspt.assessments.caf_services import ANSWER_LOCKS
        from dspt.assurance.services import sampled_outcome_locked

        # While a review is open the organisation cannot change the answers under review.
        if sampled_outcome_locked not in ANSWER_LOCKS:
            ANSWER_LOCKS.append(sampled_outcome_locked)
