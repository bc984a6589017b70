"""Hand-written Vietnamese minutes for the web tests (every name invented), as text or .docx bytes."""

from __future__ import annotations

import io

HEAD = """ĐẢNG BỘ {committee}
{cell_upper}
*
BIÊN BẢN
SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG {month} NĂM 2024

Thời gian: bắt đầu lúc 19 giờ 00, ngày {day}/{month}/2024.
Địa điểm: Nhà văn hóa {place}.
Chủ trì: đồng chí {chair} - Bí thư Chi bộ.
Thư ký: đồng chí {secretary} - Chi ủy viên.
Tổng số đảng viên: 14 đồng chí; có mặt: 12 đồng chí; vắng: 02 đồng chí (có lý do).
I. PHẦN THỦ TỤC
Chào cờ, tuyên bố lý do. Đồng chí chủ trì thông qua nội dung sinh hoạt.
II. NỘI DUNG
1. Đồng chí {chair} thông qua dự thảo báo cáo kết quả thực hiện nhiệm vụ tháng trước và phương hướng tháng {month}/2024. \
Trong tháng, chi bộ vận động thu quỹ khuyến học đạt {fund}% chỉ tiêu; tình trạng rác thải ở kênh {canal} chưa được xử lý dứt điểm.
2. Thảo luận:
"""
WITH_PROPOSALS = """- Đồng chí {a}: Rác thải dọc kênh {canal} vẫn ùn ứ sau mỗi phiên chợ, bà con rất bức xúc. \
Đề nghị chi bộ giao tổ dân phố phối hợp Ban quản lý chợ bố trí thêm {bins} thùng rác và tổ chức tổng vệ sinh trước ngày 25/{month}.
- Đồng chí {b}: Đề nghị chi bộ phân công mỗi chi ủy viên phụ trách một tổ để vận động {homes} hộ còn lại đóng quỹ khuyến học trong tháng {month}.
- Đồng chí {c}: Tôi thống nhất với dự thảo báo cáo, không có ý kiến bổ sung.
3. Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo. Giao tổ dân phố phối hợp Ban quản lý chợ bố trí thêm \
thùng rác và tổ chức tổng vệ sinh kênh {canal} trước ngày 25/{month}; mỗi chi ủy viên phụ trách một tổ vận động đóng quỹ khuyến học.
Biểu quyết: 12/12 đồng chí tán thành nghị quyết tháng {month}/2024.
"""
WITHOUT_PROPOSALS = """- Đồng chí {a}: Tôi nhất trí với dự thảo báo cáo của chi ủy.
- Đồng chí {b}: Tôi thống nhất với báo cáo, không có ý kiến bổ sung.
- Đồng chí {c}: Trong tháng tổ {fund} đã họp tổ dân phố đầy đủ, tôi nhất trí với báo cáo.
3. Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo tháng {month}/2024.
"""
TAIL = """Cuộc họp kết thúc lúc 20 giờ 40 cùng ngày.
THƯ KÝ                CHỦ TRÌ
{secretary}            {chair}
"""

# People per cell: invented names, distinct across cells so a leak is visible.
PEOPLE = {
    "A": {
        "chair": "Lương Văn Thắng",
        "secretary": "Kiều Thị Nga",
        "a": "Ông Văn Bửu",
        "b": "Doãn Thị Mận",
        "c": "Lạc Văn Tài",
    },
    "B": {
        "chair": "Quách Thị Bông",
        "secretary": "Thân Văn Lợi",
        "a": "Giáp Thị Mơ",
        "b": "Âu Văn Khoa",
        "c": "Ninh Thị Thoa",
    },
    "C": {
        "chair": "Mạc Văn Cường",
        "secretary": "Ứng Thị Hồng",
        "a": "Lều Văn Sáu",
        "b": "Từ Thị Lài",
        "c": "Khổng Văn Tư",
    },
    "D": {
        "chair": "Tăng Văn Bảy",
        "secretary": "Yên Thị Mai",
        "a": "Chung Văn Lực",
        "b": "Hầu Thị Đào",
        "c": "Kha Văn Tín",
    },
}


def minutes_text(
    who: str, cell: str, month: int, proposals: bool = True, committee: str = "PHƯỜNG AN BÌNH", variant: int = 0
) -> str:
    """A complete minutes text of cell for month; variant changes figures so each file is distinct."""
    values = dict(
        PEOPLE[who],
        committee=committee,
        cell_upper=cell.upper(),
        month=month,
        day=10 + variant % 15,
        place=cell,
        fund=70 + variant % 25,
        canal=f"Ba Bò {variant}",
        bins=3 + variant % 5,
        homes=10 + variant,
    )
    body = WITH_PROPOSALS if proposals else WITHOUT_PROPOSALS
    return (HEAD + body + TAIL).format(**values)


def docx_bytes(text: str) -> bytes:
    """The text as a Word .docx, one paragraph a line."""
    from docx import Document

    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
