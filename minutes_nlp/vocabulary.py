"""The names people read for the codes the analysis uses: labels, levels, roles, flags, columns.

Every table maps a machine code to an English message marked for the catalogs;
reading a table (``LABEL_NAMES["proposal"]``, ``.get``, ``.items()``)
translates into the language in force (minutes_nlp.i18n), so reports, pages
and exports share one vocabulary and JSON keeps the codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from minutes_nlp.i18n import N_, _


class Names(Mapping[str, str]):
    """code -> name, translated when read."""

    def __init__(self, names: dict[str, str]):
        self._names = names

    def __getitem__(self, code: str) -> str:
        return _(self._names[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def name_of(names: Names, code: str | None, unknown: str | None = None) -> str | None:
    """The name of code; an unknown code is shown as itself, None as unknown."""
    if code is None or code == "":
        return unknown
    return names.get(code, code)


LEVEL_NAMES = Names({"tot": N_("Good"), "kha": N_("Fair"), "trung_binh": N_("Average"), "kem": N_("Poor")})
LABEL_NAMES = Names(
    {
        "proposal": N_("proposal"),
        "complaint": N_("complaint"),
        "report": N_("report"),
        "agreement": N_("agreement"),
        "other": N_("other"),
    }
)
ROLE_NAMES = Names(
    {
        "chair": N_("chair"),
        "secretary": N_("secretary"),
        "committee": N_("cell committee member"),
        "member": N_("party member"),
        "guest": N_("guest"),
    }
)
MEETING_TYPE_NAMES = Names(
    {
        "thuong_ky": N_("Regular meeting"),
        "chuyen_de": N_("Thematic meeting"),
        "kiem_diem": N_("Review, self-criticism and criticism"),
        "ket_nap": N_("Admission of party members"),
        "other": N_("Other"),
    }
)
CELL_TYPE_NAMES = Names(
    {
        "residential": N_("Residential area"),
        "school": N_("School"),
        "health": N_("Health care"),
        "armed": N_("Armed forces"),
        "enterprise": N_("Enterprise"),
        "agency": N_("Government agency"),
        "other": N_("Other"),
    }
)
KIND_NAMES = Names(
    {
        "procedural": N_("Procedure"),
        "chair_report": N_("Report and briefing"),
        "discussion": N_("Discussion"),
        "chair_conclusion": N_("Conclusion by the chair"),
    }
)
SEVERITY_NAMES = Names({"warning": N_("Warning"), "info": N_("Notice")})
COMPONENT_NAMES = Names(
    {
        "participation": N_("Members who spoke"),
        "engagement": N_("Contributions with substance (not only agreement)"),
        "proposals": N_("Contributions with a proposal"),
        "specific": N_("Specific proposals"),
        "problems": N_("Problems raised"),
        "uptake": N_("Proposals taken up in the conclusion"),
        "agreement_only": N_("Contributions that only agree (deducted)"),
    }
)
GROUPING_NAMES = Names({"cell_type": N_("cell type"), "committee": N_("party committee"), "month": N_("month")})
# Short titles of the flag codes of minutes_nlp.analysis.flags, for lists and tables (the code in a tooltip).
FLAG_TITLES = Names(
    {
        "NO_PROPOSALS": N_("No proposals"),
        "LOW_PARTICIPATION": N_("Few members spoke"),
        "AGREEMENT_ONLY": N_("Agreement only"),
        "CHAIR_DOMINATED": N_("The chair dominates the discussion"),
        "LOW_ATTENDANCE": N_("Low attendance"),
        "ABSENT_WITHOUT_REASON": N_("Absent without a reason"),
        "SHORT_MEETING": N_("Short meeting"),
        "NO_CONCLUSION": N_("No conclusion by the chair"),
        "PROPOSALS_NOT_IN_CONCLUSION": N_("Proposals not taken up"),
        "MISSING_ATTENDANCE": N_("Attendance not recorded"),
        "MISSING_TIMES": N_("Start or end time not recorded"),
        "NO_DISCUSSION": N_("No discussion"),
        "OCR_LOW_CONFIDENCE": N_("Doubtful OCR reading"),
    }
)
# Column headers of the tables people open in Excel: meetings_frame, contributions_frame, flags, flag rows.
COLUMN_NAMES = Names(
    {
        "meeting_id": N_("Minutes ID"),
        "source_file": N_("File"),
        "file": N_("File"),
        "committee": N_("Party committee"),
        "cell": N_("Party cell"),
        "cell_type": N_("Cell type"),
        "date": N_("Meeting date"),
        "meeting_type": N_("Meeting type"),
        "members_total": N_("Members in total"),
        "members_present": N_("Members present"),
        "attendance_rate": N_("Attendance rate"),
        "participation_rate": N_("Speaking rate"),
        "duration_minutes": N_("Duration (minutes)"),
        "contributions": N_("Number of contributions"),
        "member_speakers": N_("Number of members who spoke"),
        "share_proposal": N_("Share of proposals"),
        "share_complaint": N_("Share of complaints"),
        "share_report": N_("Share of reports"),
        "share_agreement": N_("Share of agreements"),
        "share_other": N_("Share of other contributions"),
        "proposal_count": N_("Number of proposals"),
        "specific_proposal_count": N_("Number of specific proposals"),
        "has_proposal": N_("Has a proposal"),
        "score": N_("Substantive score"),
        "level": N_("Level"),
        "flags": N_("Flags"),
        "warnings": N_("Number of warnings"),
        "index": N_("Contribution number"),
        "speaker": N_("Speaker"),
        "role": N_("Role"),
        "primary_label": N_("Main label"),
        "labels": N_("Labels"),
        "sentences": N_("Number of sentences"),
        "specific_proposals": N_("Number of specific proposals"),
        "text": N_("Text"),
        "code": N_("Flag code"),
        "severity": N_("Severity"),
        "message": N_("Flag message"),
        "evidence": N_("Evidence"),
        # columns only the web service's exports have: the unit a file was uploaded to, and the upload
        "unit_cell": N_("Party cell (unit)"),
        "unit_committee": N_("Higher party committee"),
        "original_name": N_("Original file"),
        "uploaded_at": N_("Uploaded at"),
        "uploaded_by": N_("Uploaded by"),
        "model_version": N_("Model version"),
        "corrected": N_("Corrected (version)"),
    }
)
# The web service's account roles (not the speaker roles above).
USER_ROLE_NAMES = Names(
    {
        "secretary": N_("Cell secretary"),
        "supervisor": N_("Inspection and supervision officer"),
        "researcher": N_("Researcher"),
        "admin": N_("Administrator"),
    }
)
UNIT_KIND_NAMES = Names({"committee": N_("Party committee"), "cell": N_("Party cell")})
SORT_NAMES = Names(
    {
        "date": N_("meeting date"),
        "score": N_("score"),
        "uploaded": N_("upload time"),
        "cell": N_("party cell"),
        "level": N_("level"),
        "id": N_("number"),
    }
)
UPLOAD_STATUS_NAMES = Names(
    {"created": N_("Analysed"), "duplicate": N_("Duplicate, not stored again"), "refused": N_("Refused")}
)
CONTENT_KIND_NAMES = Names(
    {
        "docx": N_("a Word .docx file"),
        "zip": N_("a .zip archive"),
        "pdf": N_("a PDF file"),
        "doc": N_("an old Word .doc file"),
        "html": N_("an HTML page"),
        "txt": N_("a text file"),
        "exe": N_("a program (.exe)"),
        "binary": N_("binary data of unknown type"),
        "damaged-zip": N_("a damaged archive"),
        "image-zip": N_("a .zip archive of page images"),
        "jpeg": N_("a JPEG image"),
        "png": N_("a PNG image"),
        "tiff": N_("a TIFF image"),
    }
)
AUDIT_EVENT_NAMES = Names(
    {
        "sign_in": N_("Signed in"),
        "sign_in_failed": N_("Wrong password"),
        "sign_in_limited": N_("Sign-in refused by the limits"),
        "locked": N_("Locked after failed sign-ins"),
        "unlocked": N_("Unlocked by an administrator"),
        "sign_out": N_("Signed out"),
        "session_refused": N_("Ended or expired session refused"),
        "token_refused": N_("Invalid or revoked access token refused"),
        "denied": N_("Access denied"),
        "password_changed": N_("Changed own password"),
        "password_reset": N_("Password set by an administrator"),
        "user_deactivated": N_("User deactivated"),
        "user_reactivated": N_("User reactivated"),
        "user_moved": N_("User moved to another unit"),
        "user_created": N_("User added"),
        "token_created": N_("Access token created"),
        "token_revoked": N_("Access token revoked"),
    }
)
