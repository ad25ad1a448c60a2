"""Generated text laid out as black lays it out, so the format stage can leave it alone.

black costs ~100 KB/s on generated modules (their long lines are its slow path), which made
formatting 90% of generating a big CRD set. The templates are written in black's layout; what
varies with the spec is made here in black's form: string literals (`pystr`), docstrings
(`docstring_text`, black's PEP 257 re-indentation included), and lines over the limit, split as
black splits them (`wrap`). `black_form` is the format stage's cheap guard: a file it accepts
has no line black would split, so black leaves every byte as it is. tests/test_layout.py holds
each function to black's output. Emulated black: the 2026 stable style (`STYLE`).
"""

from __future__ import annotations

import io
import re
import tokenize

LINE_LENGTH = 100  # black's line length, pinned in kubeforge.format
STYLE = 26  # black's stable style changes once a year, with its major version

_ONE_LINER = re.compile(r"\\\s*\n")  # black leaves a docstring with such a line alone
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


_SUSPECT = re.compile(r"[^\n\t -~]")  # anything but printable ASCII, newline and tab


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isprintable() and ch not in "\u2028\u2029":
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def _escaped(text: str) -> str:
    """Text that is safe inside a triple-quoted literal and reads back as `text`."""
    text = text.replace("\r\n", "\n").replace("\\", "\\\\")
    if _SUSPECT.search(text):  # the common, plain-ASCII text skips the per-character look
        text = _SUSPECT.sub(_escape, text)
    body = text.replace('"""', '\\"\\"\\"').strip()
    if body.endswith('"') and not body.endswith('\\"'):
        body = body[:-1] + '\\"'
    return body


def _expand_leading_tabs(line: str, size: int = 8) -> str:
    """Tabs in a line's indentation as spaces, as black writes docstring lines."""
    content = line.lstrip()
    if not content or content == line:
        return line
    return line[: len(line) - len(content)].expandtabs(size) + content


def attribute_doc(text: str, indent: str = "") -> str:
    """The body of the string after a field or alias (to black a string, not a docstring):
    reads back as `text`, stripped, with its lines' trailing blanks and leading tabs gone."""
    body = _lines(text, indent)
    if "\n" in body and len(body.rsplit("\n", 1)[1]) + 3 > LINE_LENGTH:
        body += "\n" + indent  # closing quotes of a long last line on their own, as in docstrings
    return body


def _lines(text: str, indent: str) -> str:
    lines = [line.rstrip() for line in _escaped(text).split("\n")]
    rest = [_expand_leading_tabs(indent + line) if line else "" for line in lines[1:]]
    return "\n".join([lines[0], *rest])


def docstring_text(text: str, indent: str = "") -> str:
    """The body of a module, class or function docstring, as black writes it: re-indented
    after PEP 257, padded where it starts or ends with a quote, closing quotes on a line of
    their own after a long last line. black leaves a docstring with a backslash at a line's
    end alone, and so does this."""
    body = _lines(text, indent)
    if _ONE_LINER.search(body):
        return body
    lines = [_expand_leading_tabs(line, 4) for line in body.split("\n")]
    common = min((len(x) - len(x.lstrip()) for x in lines[1:] if x.strip()), default=0)
    rest = [indent + line[common:].rstrip() if line.strip() else "" for line in lines[1:]]
    body = "\n".join([lines[0].strip(), *rest])
    if body.startswith('"'):
        body = " " + body
    padded = body + " " if body.endswith('"') else body
    last = padded.splitlines()[-1] if padded else ""
    if rest and len(last) + 3 > LINE_LENGTH and len(indent) + 3 <= LINE_LENGTH:
        # black pads a closing quote with a space, then moves the closing quotes, and on its
        # next run drops the space as trailing: this is that second run's text, which stays.
        return body + "\n" + indent
    return padded


def pystr(value: str) -> str:
    """A string literal as black writes it: double quotes unless they need more escapes."""
    literal = repr(value)
    if literal[0] == '"':
        return literal
    body = literal[1:-1].replace("\\'", "'")
    if value.count('"') > value.count("'"):
        return literal
    return '"' + body.replace('"', '\\"') + '"'


def _wide(line: str) -> bool:
    """Lines whose display width black would count differently from their length."""
    return not line.isascii()


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    try:
        found = list(tokenize.generate_tokens(io.StringIO(text + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    kept = (tokenize.OP, tokenize.NAME, tokenize.STRING, tokenize.NUMBER)
    return [t for t in found if t.type in kept]


_OPEN, _CLOSE = "([", ")]"
_ATOMS = ([tokenize.STRING], [tokenize.NAME, "=", tokenize.STRING])
_KNOWN = {"(", ")", "[", "]", ",", "|", ".", ":", "=", "->", "*", "..."}


class _Line:
    """One logical line's tokens (name, operator, string) with their columns in `text`."""

    def __init__(self, text: str, tokens: list[tokenize.TokenInfo]) -> None:
        self.text = text
        self.tokens = tokens
        self.depth: list[int] = []
        self.partner: dict[int, int] = {}
        stack: list[int] = []
        for i, t in enumerate(tokens):
            if t.string in _OPEN:
                stack.append(i)
            self.depth.append(len(stack))
            if t.string in _CLOSE:
                self.partner[stack.pop()] = i

    def piece(self, first: int, last: int) -> str:
        """The text from token `first` through token `last`."""
        return self.text[self.tokens[first].start[1] : self.tokens[last].end[1]]


def _parse(text: str) -> _Line | None:
    tokens = _tokens(text)
    if tokens is None or any(t.type == tokenize.OP and t.string not in _KNOWN for t in tokens):
        return None
    line = _Line(text, tokens)
    if len(line.partner) * 2 != sum(t.string in "()[]" for t in tokens):
        return None
    for opening, close in line.partner.items():
        if tokens[close - 1].string != ",":
            continue
        inner = line.depth[opening]  # the depth of what the bracket holds
        commas = [
            i for i in range(opening, close) if line.depth[i] == inner and tokens[i].string == ","
        ]
        if tokens[opening].string != "(" or len(commas) > 1:
            return None  # a magic trailing comma: black explodes that bracket, fits or not
    return line


def _atom(tokens: list[tokenize.TokenInfo]) -> bool:
    """A name, string or keyword argument of a string: black cannot split it."""
    kinds = [t.type if t.type != tokenize.OP else t.string for t in tokens]
    return all(k in (tokenize.NAME, ".") for k in kinds) or kinds in _ATOMS


class _Unknown(Exception):
    """A shape the emulation does not cover: the file goes through black."""


def _fits(indent: str, text: str) -> bool:
    if _wide(text) and len(indent) + 2 * len(text) > LINE_LENGTH:
        raise _Unknown(text)  # black measures display width: leave such lines to black
    return len(indent) + len(text) <= LINE_LENGTH


def _inside(text: str, indent: str, force: bool = False) -> list[str]:
    """A line inside brackets: black's delimiter split (commas, then `|`), else its
    right-hand split."""
    if not force and _fits(indent, text):
        return [indent + text]
    line = _parse(text)
    if line is None:
        raise _Unknown(text)
    top = [i for i, t in enumerate(line.tokens) if line.depth[i] == 0 and t.string in ",|"]
    trailing = line.tokens[-1].string == ","
    if trailing:
        top = top[:-1] if top and top[-1] == len(line.tokens) - 1 else top
    commas = [i for i in top if line.tokens[i].string == ","]
    bars = [i for i in top if line.tokens[i].string == "|"]
    last = len(line.tokens) - 1
    if commas:
        parts, start = [], 0
        for i in commas:
            parts.append(line.piece(start, i))
            start = i + 1
        end = line.piece(start, last)
        parts.append(end if trailing else end + ",")
        return [out for part in parts for out in _inside(part, indent)]
    if bars:
        cuts = [0, *bars]
        parts = [line.piece(a, b - 1) for a, b in zip(cuts, [*bars, last + 1], strict=True)]
        return [out for part in parts for out in _inside(part, indent)]
    if _atom(line.tokens[:-1] if trailing else line.tokens):
        return [indent + text]
    return _right_split(line, indent)


def _right_split(line: _Line, indent: str) -> list[str]:
    """black's right-hand split: head through the last opening bracket, the body one level
    in, and the closing bracket with what follows it (the same in and out of brackets)."""
    tokens = line.tokens
    close = max((i for i, t in enumerate(tokens) if t.string in _CLOSE), default=-1)
    opening = next((o for o, c in line.partner.items() if c == close), -1)
    if close < 0 or opening < 0 or close == opening + 1 or opening == 0:
        raise _Unknown(line.text)
    tail_text = line.text[tokens[close].start[1] :]
    if any(t.string in _OPEN + _CLOSE for t in tokens[close + 1 :]):
        raise _Unknown(line.text)
    # a head or tail over the limit stays so: black has no other bracket to split at
    head = line.text[: tokens[opening].end[1]]
    body = line.piece(opening + 1, close - 1)
    before = tokens[opening - 1]
    trailer = before.type in (tokenize.NAME, tokenize.STRING) or before.string in _CLOSE
    if not trailer and before.string not in ("=", ","):
        raise _Unknown(line.text)
    inner = _parse(body)
    if inner is None:
        raise _Unknown(body)
    has_commas = any(
        t.string == "," and inner.depth[i] == 0 for i, t in enumerate(inner.tokens[:-1])
    )
    # a tuple or list display (not a call or subscript) with commas always explodes
    lines = _inside(body, indent + "    ", force=not trailer and has_commas)
    return [indent + head, *lines, indent + tail_text]


def _def_split(text: str, indent: str) -> list[str]:
    """black's left-hand split of a `def` line: at its first bracket, a trailing comma added
    to a lone parameter."""
    line = _parse(text)
    if line is None:
        raise _Unknown(text)
    opening = next(i for i, t in enumerate(line.tokens) if t.string == "(")
    close = line.partner[opening]
    head = line.text[: line.tokens[opening].end[1]]
    tail = line.text[line.tokens[close].start[1] :]
    if close == opening + 1:
        raise _Unknown(text)
    body = line.piece(opening + 1, close - 1)
    params = line.tokens[opening + 1 : close]
    if not any(t.string == "," for t in params):
        body += ","
    return [indent + head, *_inside(body, indent + "    "), indent + tail]


_STRING_ASSIGN = re.compile(r"(\w+(?:: \w+)?) = (" + _QUOTED.pattern + r")")
_ANNOTATION = re.compile(r"(\w+): ([^=]+)")
_PARAM = re.compile(r"(\w+): ([^'\"=]+) = None,")


def _split(line: str) -> list[str]:
    """One line over the limit, as black splits it (itself when black cannot split it)."""
    text = line.lstrip(" ")
    indent = line[: len(line) - len(text)]
    inner = indent + "    "
    assign = _STRING_ASSIGN.fullmatch(text)
    if assign:
        if _fits(inner, assign.group(2)):
            return [f"{indent}{assign.group(1)} = (", inner + assign.group(2), indent + ")"]
        return [line]
    if _QUOTED.fullmatch(text.removesuffix(",")):
        return [line]  # an element of an exploded display: nothing to split
    param = _PARAM.fullmatch(text)
    if param:
        head = f"{indent}{param.group(1)}: ("
        return [head, *_inside(param.group(2), inner), f"{indent}) = None,"]
    if text.startswith(("def ", "async def ")):
        return _def_split(text, indent)
    parsed = _parse(text)
    if parsed is None:
        raise _Unknown(text)
    annotation = _ANNOTATION.fullmatch(text)
    if annotation and any(
        t.string == "|" and parsed.depth[i] == 0 for i, t in enumerate(parsed.tokens)
    ):
        # a union cannot lose black's invisible parentheses: they are what it splits at
        head = f"{indent}{annotation.group(1)}: ("
        if not _fits("", head):
            raise _Unknown(text)
        return [head, *_inside(annotation.group(2), inner), indent + ")"]
    lines = _right_split(parsed, indent)
    if annotation and not _fits("", lines[0]):
        # a head over the limit: black's second opinion puts the annotation in parentheses,
        # and keeps that if every line then fits
        head = f"{indent}{annotation.group(1)}: ("
        second = [head, *_inside(annotation.group(2), inner), indent + ")"]
        if all(_fits("", line) for line in second):
            return second
    return lines


def _code(lines: list[str]) -> list[bool] | None:
    """Which lines are code (not inside a docstring); None if a triple quote appears where
    no template puts one (spec text in a string literal, say)."""
    out, in_doc = [], False
    for line in lines:
        quotes = line.count('"""')
        text = line.lstrip(" ")
        if in_doc:
            out.append(False)
            if quotes:
                if quotes > 1 or not line.endswith('"""'):
                    return None
                in_doc = False
        elif quotes and not text.startswith('"""'):
            # spec text with a triple quote in a one-line literal, or a template's mistake
            tokens = _tokens(text)
            if tokens is None or any(t.string.startswith(('"""', "'''")) for t in tokens):
                return None
            out.append(True)
        elif quotes:
            out.append(False)
            if quotes > 2:
                return None
            in_doc = quotes == 1
            if quotes == 2 and not line.endswith('"""'):
                return None
        else:
            out.append(True)
    return None if in_doc else out


def wrap(text: str) -> str:
    """Lines over the limit split as black splits them; those it cannot split stay as they
    are, for black to see (`black_form` then turns the file down). Docstrings are untouched."""
    lines = text.split("\n")
    code = _code(lines)
    if code is None:
        return text
    out: list[str] = []
    for line, is_code in zip(lines, code, strict=True):
        if not is_code or len(line) <= LINE_LENGTH or _wide(line):
            out.append(line)
            continue
        try:
            out += _split(line)
        except _Unknown:
            out.append(line)
    return "\n".join(out)


def black_form(text: str) -> bool:
    """Whether black would keep every line of a file laid out by `wrap` (the format stage's
    guard): no line over the limit outside docstrings but those black cannot split either,
    and no long line whose width black measures differently from its length."""
    lines = text.split("\n")
    code = _code(lines)
    if code is None:
        return False
    for line, is_code in zip(lines, code, strict=True):
        if not is_code or len(line) <= (LINE_LENGTH // 2 if _wide(line) else LINE_LENGTH):
            continue
        if _wide(line):
            return False
        if not _unsplittable(line):
            return False
    return True


def _unsplittable(line: str) -> bool:
    """A line black leaves over the limit: one `wrap` cannot shorten, or the head (through
    an opening bracket) or the tail (from a closing bracket) of a statement it split."""
    try:
        if _split(line) == [line]:
            return True
    except _Unknown:
        pass
    text = line.lstrip(" ")
    if text[-1] in _OPEN:
        return _parse(text + _CLOSE[_OPEN.index(text[-1])]) is not None
    tokens = _tokens(text.removesuffix(","))
    if not tokens:
        return False
    if _atom(tokens):
        return True
    brackets = [t.string for t in tokens if t.string in "()[]"]
    if text[0] in _CLOSE:
        return brackets == [text[0]]
    return False
