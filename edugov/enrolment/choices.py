"""States of rounds and applications, the allowed application transitions, and the catalogue of priority tiers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园小班")
    PRIMARY = "primary", _("小学一年级")
    JUNIOR = "junior", _("初中一年级")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("报名中")
    CLOSED = "closed", _("报名已截止")
    DRAWN = "drawn", _("已摇号")
    PUBLISHED = "published", _("结果已公布")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回补正")
    RESUBMITTED = "resubmitted", _("已重新提交")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核不通过")
    ADMITTED = "admitted", _("已录取")
    WAITLISTED = "waitlisted", _("候补")
    UNPLACED = "unplaced", _("未录取")
    ACCEPTED = "accepted", _("已确认入学")
    DECLINED = "declined", _("已放弃")


#: from → the statuses an application may move to; anything else is refused
TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.SUBMITTED: frozenset({ApplicationStatus.RETURNED, ApplicationStatus.APPROVED,
                                            ApplicationStatus.REJECTED}),
    ApplicationStatus.RETURNED: frozenset({ApplicationStatus.RESUBMITTED}),
    ApplicationStatus.RESUBMITTED: frozenset({ApplicationStatus.RETURNED, ApplicationStatus.APPROVED,
                                              ApplicationStatus.REJECTED}),
    ApplicationStatus.APPROVED: frozenset({ApplicationStatus.ADMITTED, ApplicationStatus.WAITLISTED,
                                           ApplicationStatus.UNPLACED}),
    ApplicationStatus.ADMITTED: frozenset({ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED}),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WAITLISTED: frozenset(),
    ApplicationStatus.UNPLACED: frozenset(),
    ApplicationStatus.ACCEPTED: frozenset(),
    ApplicationStatus.DECLINED: frozenset(),
}

#: awaiting a decision by staff
PENDING_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED)
#: the parent may change the application and its evidence
EDITABLE_BY_PARENT = (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED, ApplicationStatus.RESUBMITTED)
#: outcomes of the lottery (and what follows an admission)
DRAW_OUTCOMES = (ApplicationStatus.ADMITTED, ApplicationStatus.WAITLISTED, ApplicationStatus.UNPLACED,
                 ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED)
#: holds a seat: admitted and not (yet) declined
HOLDS_SEAT = (ApplicationStatus.ADMITTED, ApplicationStatus.ACCEPTED)
#: may apply to the second round of the same admission
SECOND_ROUND_ELIGIBLE = (ApplicationStatus.WAITLISTED, ApplicationStatus.UNPLACED)


class Tier(models.TextChoices):
    """Priority tiers a school may use, best first in the usual order. Which tiers a school admits, and in which
    order, is set per school in the round (RoundSchool.tiers); a tier not listed there is not eligible."""

    LOCAL_PROPERTY = "local_property", _("本地户籍且有学区内房产（房户一致）")
    SIBLING = "sibling", _("兄弟姐妹在本校就读")
    LOCAL_RESIDENCE = "local_residence", _("本地户籍、学区内租住")
    MIGRANT_PERMIT = "migrant_permit", _("随迁子女（持居住证）")
    OTHER = "other", _("其他")


DEFAULT_TIERS: tuple[str, ...] = tuple(Tier.values)


class EvidenceKind(models.TextChoices):
    HOUSEHOLD_REGISTER = "household_register", _("户口簿")
    PROPERTY_CERTIFICATE = "property_certificate", _("房产证明")
    TENANCY = "tenancy", _("租房合同或居住登记")
    RESIDENCE_PERMIT = "residence_permit", _("居住证")
    OTHER = "other", _("其他材料")
