"""Reading uploaded plan files into text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edugov.plans.extract.reading import MAX_BYTES, PlanReadError, read_plan, read_plan_bytes

PLAN = "学前三年毛入园率达到95%。"


def _minimal_pdf(page_stream: bytes | None) -> bytes:
    """A one-page PDF; with a content stream it has a text layer, without it looks like a scan."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    if page_stream is not None:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        stream.set_data(page_stream)
        page[NameObject("/Contents")] = writer._add_object(stream)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_text_files_decode_from_utf8_with_or_without_bom_and_gbk(encoding: str) -> None:
    assert read_plan_bytes(PLAN.encode(encoding), "plan.txt") == PLAN


def test_empty_files_are_rejected_with_a_chinese_message() -> None:
    with pytest.raises(PlanReadError) as err:
        read_plan_bytes(b"  \n", "plan.txt")
    assert err.value.code == "empty"
    assert "为空" in err.value.message_zh


def test_binary_garbage_is_rejected_rather_than_decoded_as_gb18030() -> None:
    with pytest.raises(PlanReadError) as err:
        read_plan_bytes(bytes(range(256)) * 20, "plan.txt")
    assert err.value.code in ("binary", "encoding")


def test_html_keeps_body_text_and_drops_scripts_styles_and_navigation() -> None:
    html = (
        "<html><head><style>p{}</style><title>t</title></head><body><nav>首页 &gt; 教育</nav>"
        "<script>var x=1;</script><p>新建幼儿园&nbsp;3所。</p><div>学前三年毛入园率达到95%。</div></body></html>"
    )
    text = read_plan_bytes(html.encode("utf-8"), "plan.html")
    assert text == "新建幼儿园 3所。\n学前三年毛入园率达到95%。"


def test_docx_paragraphs_and_tables_are_read() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("新建幼儿园3所。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "毛入园率"
    table.cell(0, 1).text = "95%"
    buf = io.BytesIO()
    document.save(buf)
    text = read_plan_bytes(buf.getvalue(), "plan.docx")
    assert "新建幼儿园3所。" in text
    assert "毛入园率\t95%" in text


def test_legacy_doc_files_ask_the_user_to_save_as_docx() -> None:
    with pytest.raises(PlanReadError) as err:
        read_plan_bytes(b"\xd0\xcf\x11\xe0", "plan.doc")
    assert err.value.code == "doc_legacy"
    assert ".docx" in err.value.message_zh


def test_pdf_text_layer_is_extracted() -> None:
    data = _minimal_pdf(b"BT /F1 12 Tf 20 100 Td (Target 95%) Tj ET")
    assert "Target 95%" in read_plan_bytes(data, "plan.pdf")


def test_pdf_without_text_layer_says_it_needs_ocr() -> None:
    with pytest.raises(PlanReadError) as err:
        read_plan_bytes(_minimal_pdf(None), "scan.pdf")
    assert err.value.code == "pdf_no_text"
    assert "OCR" in err.value.message_zh


def test_encrypted_pdf_is_refused_with_a_clear_message() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_minimal_pdf(b"BT /F1 12 Tf 20 100 Td (x) Tj ET"))))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(PlanReadError) as err:
        read_plan_bytes(buf.getvalue(), "locked.pdf")
    assert err.value.code == "pdf_encrypted"


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse file: no 50 MB written to disk
    with pytest.raises(PlanReadError) as err:
        read_plan(big)
    assert err.value.code == "too_large"


def test_unknown_file_types_are_refused() -> None:
    with pytest.raises(PlanReadError) as err:
        read_plan_bytes(b"x", "plan.xlsx")
    assert err.value.code == "unsupported"


def test_a_file_mixing_utf8_and_gbk_is_refused_as_mixed_rather_than_decoded_as_mojibake() -> None:
    data = "学前三年毛入园率达到95%。".encode() * 5 + "普惠性幼儿园覆盖率达到85%。".encode("gbk") * 5
    with pytest.raises(PlanReadError) as info:
        read_plan_bytes(data, "mixed.txt")
    assert info.value.code == "mixed_encoding"
    assert "UTF-8" in info.value.message_zh and "GBK" in info.value.message_zh


def test_a_long_gbk_file_is_not_mistaken_for_a_mixed_one() -> None:
    text = "各区县要按照全市统一部署，推进学前教育普及普惠，学前三年毛入园率达到95%以上。\n" * 300
    assert read_plan_bytes(text.encode("gbk"), "gbk.txt") == text
