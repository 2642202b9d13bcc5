"""BeautifulSoup trees of postings, built with less Python per tag.

``make_soup(markup)`` returns the tree ``BeautifulSoup(markup, "lxml")`` returns:
the same ``Tag`` and ``NavigableString`` objects with the same attributes and
links. Building that tree is most of the time it takes to read an HTML posting
(lxml itself parses in a tenth of it), so the builder here cuts the per-tag
work:

- it keeps its lxml parser from one posting to the next;
- a plain tag or string (no namespace, no ``<pre>``, ``<script>`` or
  ``<meta>``) is made and linked into the tree directly, instead of through
  BeautifulSoup's general routine with its checks for filters, namespaces,
  string classes and trees being re-parented;
- everything else takes BeautifulSoup's own path.

The direct path copies what BeautifulSoup's own objects hold, so before it is
used each builder builds a sample page and compares every attribute and link of
every node with what stock ``BeautifulSoup(markup, "lxml")`` builds. If they
differ, or the set-up fails (another BeautifulSoup version that keeps something
else), ``make_soup`` is stock BeautifulSoup. pyproject.toml bounds
``beautifulsoup4`` to the versions this was checked against. It earns its place:
the whole analysis of the shared postings takes about 16% less time than with
stock BeautifulSoup.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any, cast

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.builder._lxml import LXMLTreeBuilder

# A saved page may open with an XML declaration; it is still read as HTML, on purpose.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"  # what BeautifulSoup folds into one space or newline
# What a tag holds of its own; the rest of its attributes are the same for every plain tag.
_TAG_OWN = frozenset((
    "name", "attrs", "contents", "parent", "previous_element", "next_element", "previous_sibling",
    "next_sibling", "can_be_empty_element", "_namespaces",
))
_LINKS = ("parent", "previous_element", "next_element", "previous_sibling", "next_sibling")
# A page with each kind of node: plain and special tags, attributes split into lists,
# unclosed and stray tags, empty elements, white space, a comment and a doctype.
_SAMPLE = (
    "<!DOCTYPE html><html><head><title>T</title><meta charset='utf-8'></head><body>"
    "<div class='a b' id='x'><p>One <b>two</b>\n <br/>three</p><ul><li>four<li>five</ul>"
    "<pre> six </pre><script>var x;</script><!-- c --><span>seven</div>eight</p>"
    "<table><tr><td headers='h1 h2'>nine</td></tr></table>  \n  <textarea> ten </textarea></body></html>"
)


class _ReusingLXMLTreeBuilder(LXMLTreeBuilder):
    """BeautifulSoup's lxml tree builder, keeping its parser and linking plain nodes directly."""

    # The document being built: BeautifulSoup sets it before it feeds the builder
    # (``_build`` clears it after, which the callbacks below never see).
    soup: BeautifulSoup
    _parser: Any = None
    direct_ok = False  # set once the sample page came out as stock BeautifulSoup's
    direct = False  # this document is built directly
    _tag_template: dict[str, Any] = {}
    _string_template: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Tags whose strings have classes of their own, that keep their white space
        # or whose attributes are rewritten go through BeautifulSoup's routine.
        self._special = frozenset(self.preserve_whitespace_tags | set(self.string_containers) | {"meta"})
        self._empty: dict[str, bool] = {}  # tag name -> can_be_empty_element(name), asked once per name
        # BeautifulSoup 4.12 keeps attributes in a plain dict; later versions have a class for it.
        self._attribute_dict: Callable[[], dict[str, Any]] = getattr(self, "attribute_dict_class", dict)

    def parser_for(self, encoding: Any) -> Any:
        # The stock builder makes a new lxml parser for every document, and lxml
        # then inspects the builder's callbacks anew.
        if encoding is not None:
            return super().parser_for(encoding)
        if self._parser is None:
            self._parser = super().parser_for(None)
        return self._parser

    def feed(self, markup: Any) -> None:
        soup = self.soup
        self.direct = self.direct_ok and soup.parse_only is None and not soup.element_classes
        try:
            super().feed(markup)
        except BaseException:
            self._parser = None  # a parser that failed half-way is not used again
            raise

    def start(self, tag: Any, attrib: Any, nsmap: Any = {}) -> None:  # noqa: B006 (lxml's signature)
        # lxml's HTML parser gives no namespaces; anything namespaced takes the stock path.
        if nsmap or len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().start(tag, attrib, nsmap)
        attrs = self._attribute_dict()
        # lxml gives a tag without attributes an empty mapping whose items() are
        # iterated in Python: asking its length first costs less.
        if attrib:
            for k, v in attrib.items():
                if k[:1] == "{":
                    return super().start(tag, attrib, nsmap)
                attrs[k] = v
        soup = self.soup
        if not self.direct or tag in self._special:
            soup.handle_starttag(tag, None, None, attrs, namespaces=self.active_namespace_prefixes[-1])
            return
        if soup.current_data:
            soup.endData()
        # What Tag(...) and BeautifulSoup.handle_starttag do for a plain tag.
        node = Tag.__new__(Tag)
        own = node.__dict__
        own.update(self._tag_template)
        own["name"] = tag
        own["attrs"] = self._replace_cdata_list_attribute_values(tag, attrs) if attrs else attrs
        own["contents"] = []
        empty = self._empty.get(tag)
        if empty is None:
            empty = self.can_be_empty_element(tag)
            if len(self._empty) < 1000:  # made-up tag names are not kept without end
                self._empty[tag] = empty
        own["can_be_empty_element"] = empty
        own["_namespaces"] = self.active_namespace_prefixes[-1] or {}
        parent = soup.currentTag
        _link(node, own, parent, soup._most_recent_element)
        soup._most_recent_element = node
        soup.tagStack.append(node)
        soup.currentTag = node
        soup.open_tag_counter[tag] += 1

    def data(self, content: Any) -> None:
        if self.direct:
            self.soup.current_data.append(content)  # what BeautifulSoup.handle_data does
        else:
            super().data(content)

    def end(self, tag: Any) -> None:
        if len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().end(tag)
        soup = self.soup
        if soup.current_data:
            soup.endData()
        stack = soup.tagStack
        top = stack[-1]
        if self.direct and len(stack) > 1 and top.name == tag and top.prefix is None and tag not in self._special:
            # The tag that closes is the one open last: BeautifulSoup.popTag, directly.
            stack.pop()
            soup.open_tag_counter[tag] -= 1
            soup.currentTag = stack[-1]
        else:
            soup.handle_endtag(tag, None)


def _link(node: Any, own: dict[str, Any], parent: Any, previous: Any) -> None:
    """Link a new last child of ``parent`` into the tree, as ``PageElement.setup`` does."""
    own["parent"] = parent
    own["previous_element"] = previous
    if previous is not None:
        previous.next_element = node
    own["next_element"] = None
    own["next_sibling"] = None
    siblings = parent.contents
    if siblings:
        own["previous_sibling"] = last = siblings[-1]
        last.next_sibling = node
    else:
        own["previous_sibling"] = None
    siblings.append(node)


class _Soup(BeautifulSoup):
    """A BeautifulSoup that makes plain strings directly when its builder says so."""

    def string_container(self, base_class: Any = None) -> Any:
        if base_class is None and not self.string_container_stack and not self.element_classes:
            return NavigableString
        return super().string_container(base_class)

    def endData(self, containerClass: Any = None) -> None:  # noqa: N803 (BeautifulSoup's name)
        data = self.current_data
        if not data:
            return
        if containerClass is not None or self.string_container_stack or not getattr(self.builder, "direct", False):
            return super().endData(containerClass)
        # What BeautifulSoup.endData and object_was_parsed do for a plain string in
        # a document being parsed (where nothing after it exists yet to re-link).
        text = data[0] if len(data) == 1 else "".join(data)
        self.current_data = []
        if not self.preserve_whitespace_tag_stack and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        node = str.__new__(NavigableString, text)
        own = node.__dict__
        own.update(cast(_ReusingLXMLTreeBuilder, self.builder)._string_template)
        _link(node, own, self.currentTag, self._most_recent_element)
        self._most_recent_element = node


def tree_signature(soup: BeautifulSoup) -> list[tuple[str, str | None, list[tuple[str, Any]]]]:
    """Every node of a tree with every attribute it holds, links given as node numbers.

    Two trees with the same signature are the same to anything that reads them.
    """
    nodes = [soup, *soup.descendants]
    number = {id(node): i for i, node in enumerate(nodes)}

    def ref(value: Any) -> Any:
        return None if value is None else number.get(id(value), "outside")

    out = []
    for node in nodes:
        held = []
        for key, value in sorted(vars(node).items()):
            if key in _LINKS or key in ("_most_recent_element", "currentTag"):
                value = ref(value)
            elif key in ("contents", "tagStack"):
                value = [ref(v) for v in value]
            elif key in ("builder", "markup"):
                continue
            held.append((key, value))
        out.append((type(node).__name__, str(node) if isinstance(node, NavigableString) else None, held))
    return out


def same_tree(ours: BeautifulSoup, stock: BeautifulSoup) -> bool:
    """Every node, attribute and link of the two trees alike, the root's class aside."""

    def plain(tree: BeautifulSoup) -> str:
        return repr(tree_signature(tree)).replace("_Soup", "BeautifulSoup").replace("models.soup", "bs4")

    return plain(ours) == plain(stock)


def _new_builder() -> _ReusingLXMLTreeBuilder | None:
    """A builder whose direct path builds the sample page as stock BeautifulSoup does, or None.

    Everything that reads BeautifulSoup's internals happens here, inside the guard:
    a BeautifulSoup version that keeps something else per node, or lacks what the
    builder reads, makes ``make_soup`` use ``BeautifulSoup(markup, "lxml")`` itself.
    """
    try:
        builder = _ReusingLXMLTreeBuilder()
        stock = BeautifulSoup(_SAMPLE, "lxml")
        plain = stock.find("span")
        if not isinstance(plain, Tag):
            return None
        builder._tag_template = {k: v for k, v in vars(plain).items() if k not in _TAG_OWN}
        string = plain.contents[0]  # "seven"
        builder._string_template = {k: v for k, v in vars(string).items() if k not in _LINKS}
        builder.direct_ok = True
        if same_tree(_build(builder, _SAMPLE), stock) and same_tree(_build(builder, _SAMPLE), stock):
            return builder  # built twice: the second time with the kept parser
    except Exception:  # noqa: BLE001 (any failure means: use BeautifulSoup's own path)
        pass
    return None


def _build(builder: _ReusingLXMLTreeBuilder, markup: str) -> BeautifulSoup:
    try:
        return _Soup(markup, builder=builder)
    finally:
        # The builder must not keep the last tree (a big page) alive; BeautifulSoup
        # sets it again before the next document.
        builder.soup = None  # type: ignore[assignment]


_builders = threading.local()  # a builder holds the document being built: one per thread


def make_soup(markup: str) -> BeautifulSoup:
    """``BeautifulSoup(markup, "lxml")``, built by this thread's builder when it passed its check."""
    try:
        builder = _builders.lxml
    except AttributeError:
        builder = _builders.lxml = _new_builder()
    if builder is None:
        return BeautifulSoup(markup, "lxml")
    return _build(builder, markup)
