"""Matching a row of the partner import with the partners there are (by code, credit code, name key) under the
import's duplicate policy, as duplicate control would decide."""

from __future__ import annotations

from django.utils.translation import gettext as _

from keshang.core.importing import DuplicatePolicy, Row

from ..duplicates import DUPLICATES_BLOCK, DUPLICATES_WARN, DuplicateMatch, duplicate_policy

__all__ = ["PartnerMatchingMixin"]


class PartnerMatchingMixin:
    """``identities(row)`` and ``resolve(row)`` of :class:`~.importer.PartnerImporter`, against the partners its
    ``prepare()`` loaded."""

    def _describe_existing(self, pk: int, matched: str) -> str:
        """The partner as duplicate control names it: its name, its owner, and which of its fields ``matched``."""
        name, owner_id, _code = self._existing[pk]
        owner = self._users[owner_id][0] if owner_id in self._users else ""
        return DuplicateMatch(pk=pk, name=name, owner_name=owner, matched=(matched,)).describe()

    def identities(self, row: Row) -> list[tuple[str, str]]:
        keys = []
        if row.data["partner"].code:
            keys.append((row.data["partner"].code, self._labels["code"]))
        if row.data["partner"].credit_code:
            keys.append((row.data["partner"].credit_code, self._labels["credit_code"]))
        if self.policy != DuplicatePolicy.CREATE:
            keys.append((row.data["name_key"], self._labels["name"]))
        return keys

    def resolve(self, row: Row) -> None:
        partner = row.data["partner"]
        by_number = self._by_partner_code.get(partner.code) if partner.code else None
        by_code = self._by_code.get(partner.credit_code) if partner.credit_code else None
        by_name = self._by_name.get(row.data["name_key"], [])
        if partner.code in self._given_codes:
            row.error(_("编号“%(code)s”已由本次导入自动分配给前面的行，请换一个编号。") % {"code": partner.code})
            return
        if self.policy == DuplicatePolicy.CREATE:
            self._resolve_create(row, by_number, by_code, by_name)
            return
        if by_number is None and by_code is None and not by_name:
            row.action = Row.CREATE
            return
        if by_number is not None and by_code is not None and by_code != by_number:
            row.error(
                _("编号和统一社会信用代码分别对应不同的已有客商：%(first)s；%(second)s。")
                % {
                    "first": self._describe_existing(by_number, "code"),
                    "second": self._describe_existing(by_code, "credit_code"),
                }
            )
            return
        if by_number is not None:
            target, matched = by_number, "code"
        elif by_code is not None:
            target, matched = by_code, "credit_code"
        elif len(by_name) == 1:
            target, matched = by_name[0], "name"
        else:
            target, matched = None, "name"
        if self.policy == DuplicatePolicy.SKIP:
            row.action = Row.SKIP
            row.target = target if target is not None else by_name[0]
            row.notice(_("已存在，跳过：%(match)s。") % {"match": self._describe_existing(row.target, matched)})
            return
        self._resolve_update(row, target, by_name)

    def _resolve_create(self, row: Row, by_number: int | None, by_code: int | None, by_name: list[int]) -> None:
        """Policy ``create``: codes and credit codes stay unique; a same-named partner is refused where the
        services would refuse it (someone else's, or any under ``block``), else created with a notice."""
        if by_number is not None:
            row.error(_("编号已被使用：%(match)s。") % {"match": self._describe_existing(by_number, "code")})
            return
        if by_code is not None:
            row.error(
                _("统一社会信用代码已被使用：%(match)s。") % {"match": self._describe_existing(by_code, "credit_code")}
            )
            return
        policy = duplicate_policy()
        owner_pk = row.data["owner_pk"]
        theirs = [pk for pk in by_name if self._existing[pk][1] not in (None, owner_pk)]
        if theirs and policy != DUPLICATES_WARN:
            matches = "；".join(self._describe_existing(pk, "name") for pk in theirs[:3])
            row.error(_("已有他人负责的相同客商：%(matches)s。请向负责人申请共享或转移。") % {"matches": matches})
        elif by_name and policy == DUPLICATES_BLOCK:
            matches = "；".join(self._describe_existing(pk, "name") for pk in by_name[:3])
            row.error(_("已存在相同的客商：%(matches)s。系统设置不允许重复。") % {"matches": matches})
        else:
            row.action = Row.CREATE
            if by_name:
                row.notice(
                    _("与已有客商同名，仍将新增：%(match)s。") % {"match": self._describe_existing(by_name[0], "name")}
                )

    def _resolve_update(self, row: Row, target: int | None, by_name: list[int]) -> None:
        partner = row.data["partner"]
        if target is None:
            names = "、".join(f"“{self._existing[pk][0]}”" for pk in by_name[:5])
            row.error(
                _("名称与多个已有客商相同（%(names)s），无法确定更新哪一个，请填写编号或统一社会信用代码。")
                % {"names": names}
            )
            return
        name, owner_id, existing_code = self._existing[target]
        if partner.credit_code and existing_code and existing_code != partner.credit_code:
            row.error(
                _("对应已有客商“%(name)s”，但统一社会信用代码不同（已有：%(code)s）。")
                % {"name": name, "code": existing_code}
            )
            return
        if self._changeable is not None and target not in self._changeable:
            owner = self._users[owner_id][0] if owner_id in self._users else _("公海")
            row.error(_("该客商属于他人，无权更新（负责人：%(owner)s）。") % {"owner": owner})
            return
        row.action = Row.UPDATE
        row.target = target
        row.notice(_("将更新已有客商“%(name)s”。") % {"name": name})
        if row.values.get("owner") and row.data["owner_pk"] != owner_id:
            row.notice(_("负责人不随导入更新，如需更换请使用转移功能。"))
