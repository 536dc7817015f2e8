"""Turn an uploaded plan file into the text that extraction offsets refer to.

``read_plan`` returns the decoded text exactly as ``extract_targets`` will see it;
store this text next to the targets so that ``text[start:end] == quote`` holds later.
Every failure is a ``PlanReadError`` with a stable ``code`` and a Chinese message for
the user.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

MAX_BYTES = 50 * 1024 * 1024  # 50 MB: larger uploads are scans or bundles, not a work plan
SUPPORTED = (".txt", ".html", ".htm", ".docx", ".pdf")


class PlanReadError(Exception):
    """A plan file could not be read; ``message_zh`` is shown to the user as is."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(f"{code}: {message_zh}")
        self.code = code
        self.message_zh = message_zh


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    if not data.strip():
        raise PlanReadError("empty", "文件内容为空，请检查后重新上传。")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096]:
        # UTF-16 or binary: work plans exported as text are never UTF-16 in practice
        raise PlanReadError(
            "binary", "文件不是可识别的文本（可能是二进制文件），请另存为 UTF-8 文本、Word(.docx) 或 PDF。"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if _mixed_utf8(data):
            raise PlanReadError(
                "mixed_encoding", "文件中混有不同的文字编码（部分为 UTF-8、部分为 GBK），"
                "请在编辑器中统一另存为 UTF-8 后重新上传。") from None
    else:
        if _looks_like_text(text):
            return text
    text = data.decode("gb18030", errors="replace")
    if "\ufffd" not in text and _looks_like_text(text):
        return text
    raise PlanReadError("encoding", "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的文本。")


def _mixed_utf8(data: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 nevertheless hold a real run of UTF-8 Chinese: a file pasted together
    from UTF-8 and GBK sources. GBK text decoded as UTF-8 yields almost no valid CJK characters by chance."""
    decoded = data.decode("utf-8", errors="replace")
    cjk = sum(1 for ch in decoded if "\u4e00" <= ch <= "\u9fff")
    bad = decoded.count("\ufffd")
    return cjk >= 10 and cjk >= 0.2 * bad


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes almost any byte string; demand mostly printable CJK/ASCII content."""
    if not text:
        return False
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return ok / len(text) > 0.97


class _BodyText(HTMLParser):
    SKIP = frozenset({"script", "style", "nav", "noscript", "template", "head", "iframe", "svg"})
    BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Body text of an HTML page; script/style/nav dropped, block tags become line breaks."""
    parser = _BodyText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def docx_to_text(data: bytes) -> str:
    try:
        import docx  # python-docx
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise PlanReadError(
            "docx_unsupported", "服务器未安装 Word 解析组件（python-docx），请上传 PDF 或文本。"
        ) from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for corrupt files
        raise PlanReadError("docx_invalid", "Word 文件已损坏或不是 .docx 格式。") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_to_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise PlanReadError("pdf_unsupported", "服务器未安装 PDF 解析组件（pypdf），请上传 Word 或文本。") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
    except (PdfReadError, ValueError, OSError) as exc:
        raise PlanReadError("pdf_invalid", "PDF 文件已损坏，无法读取。") from exc
    if reader.is_encrypted:
        raise PlanReadError("pdf_encrypted", "PDF 文件已加密，请去除密码保护后重新上传。")
    text = "\n".join((page.extract_text() or "") for page in reader.pages)
    if not text.strip():
        raise PlanReadError("pdf_no_text", "PDF 没有文字层（可能是扫描件），需要先进行 OCR 文字识别。")
    return text


def read_plan_bytes(data: bytes, filename: str) -> str:
    """Decoded text of a plan file given its bytes and name (the suffix picks the reader)."""
    if len(data) > MAX_BYTES:
        raise PlanReadError("too_large", "文件超过 50 MB 上限，请拆分或压缩后重新上传。")
    suffix = Path(filename).suffix.lower()
    if suffix == ".doc":
        raise PlanReadError("doc_legacy", "不支持旧版 Word (.doc) 文件，请在 Word 中另存为 .docx 后重新上传。")
    if suffix not in SUPPORTED:
        raise PlanReadError("unsupported", f"不支持的文件类型“{suffix or '无扩展名'}”，支持：txt、html、docx、pdf。")
    if not data:
        raise PlanReadError("empty", "文件内容为空，请检查后重新上传。")
    if suffix == ".docx":
        text = docx_to_text(data)
    elif suffix == ".pdf":
        text = pdf_to_text(data)
    elif suffix in (".html", ".htm"):
        text = html_to_text(decode_text(data))
    else:
        text = decode_text(data)
    if not text.strip():
        raise PlanReadError("empty", "文件中没有可提取的文字。")
    return text


def read_plan(path: str | Path) -> str:
    """Decoded text of the plan file at ``path``."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise PlanReadError("not_found", f"找不到文件：{p.name}") from exc
    if size > MAX_BYTES:
        raise PlanReadError("too_large", "文件超过 50 MB 上限，请拆分或压缩后重新上传。")
    return read_plan_bytes(p.read_bytes(), p.name)
