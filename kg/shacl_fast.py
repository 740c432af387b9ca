"""A fast SHACL Core checker for the subset of constraints our shapes use, with pyshacl as the reference.

pyshacl spends seconds per document walking rdflib's store triple by triple. This module compiles the
shapes once and checks a document with plain dict and set look-ups over its triples (~50x faster).
It only answers "which (focus, path, component, value, shape) results are there"; the build uses it as a
gate: no result means the graph conforms (pyshacl would say the same, see tests/test_shacl_fast.py);
any result, or any shape feature not listed in ``NODE_KEYS``/``PROPERTY_KEYS``, hands the graph to
pyshacl, whose report is the one users read.

Each check mirrors the corresponding pyshacl 0.40 constraint component (same literal, string and
comparison rules), so the two engines agree result for result, not only on conformance.
"""

from __future__ import annotations

import datetime as dtm
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from kg.rdf.namespaces import SH

Term = URIRef | BNode | Literal
Result = tuple[Term, URIRef | None, URIRef, Term | None, Term]  # focus, path, component, value, shape


class Unsupported(Exception):
    """The shapes use a feature this checker does not implement: validate with pyshacl instead."""


IGNORED = {RDF.type, RDFS.comment, RDFS.label, SH.message, SH.name, SH.description, SH.order, SH.group}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
VALUE_KEYS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.languageIn,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.hasValue, SH["in"], SH.node,
    SH.property,
}
NODE_KEYS = IGNORED | TARGETS | VALUE_KEYS
PROPERTY_KEYS = IGNORED | VALUE_KEYS | {SH.path, SH.minCount, SH.maxCount, SH.lessThanOrEquals, SH.uniqueLang}
# key -> (component, test on compare_literal(value, bound)), as pyshacl's value range components
RANGE = {
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, lambda c: c >= 0),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, lambda c: c <= 0),
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, lambda c: c > 0),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, lambda c: c < 0),
}
STRING_TYPES = (None, RDF.langString, XSD.string)
CLASS, TYPE, SUBCLASS = SH["class"], RDF.type, RDFS.subClassOf  # rdflib Namespace look-ups are slow in loops
TYPE_KEY = str(TYPE)
MIN_COUNT, MAX_COUNT, LTE, UNIQUE_LANG = SH.minCount, SH.maxCount, SH.lessThanOrEquals, SH.uniqueLang


@dataclass
class Shape:
    node: Term
    path: URIRef | None = None  # None for a node shape
    params: dict[URIRef, list[Term]] = field(default_factory=dict)
    properties: list[Shape] = field(default_factory=list)
    nodes: list[Term] = field(default_factory=list)  # sh:node references
    regexes: list[re.Pattern[str]] = field(default_factory=list)
    checks: list[tuple[URIRef, Callable[[Term], bool]]] = field(default_factory=list)
    class_keys: list[str] = field(default_factory=list)

    def one(self, key: URIRef) -> Term | None:
        values = self.params.get(key)
        return values[0] if values else None


class CompiledShapes:
    """Shapes compiled once per shapes graph; raises Unsupported for anything outside the subset."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.shapes: dict[Term, Shape] = {}
        self.targeted: list[Shape] = []
        for node in self._shape_nodes():
            shape = self._compile(node, path=None)
            if any(shape.params.get(t) for t in TARGETS):
                self.targeted.append(shape)

    def _shape_nodes(self) -> set[Term]:
        g = self.graph
        nodes = set(g.subjects(RDF.type, SH.NodeShape))
        for target in TARGETS:
            nodes.update(g.subjects(target, None))
        nodes.update(g.objects(None, SH.node))
        if set(g.subjects(RDF.type, SH.PropertyShape)) - set(g.objects(None, SH.property)):
            raise Unsupported("a property shape used outside sh:property")
        if nodes & (set(g.subjects(RDF.type, RDFS.Class)) | set(g.subjects(RDF.type, URIRef(
                "http://www.w3.org/2002/07/owl#Class")))):
            raise Unsupported("implicit class targets")
        return nodes

    def _compile(self, node: Term, path: URIRef | None) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        shape = Shape(node, path)
        self.shapes[node] = shape
        allowed = NODE_KEYS if path is None else PROPERTY_KEYS
        for key, value in self.graph.predicate_objects(node):
            if key not in allowed and (str(key).startswith(str(SH)) or key == SH.path):
                raise Unsupported(f"{key} on shape {node}")
            if key in IGNORED or key not in allowed:
                continue
            shape.params.setdefault(key, []).append(value)
        self._links(shape)
        return shape

    def _links(self, shape: Shape) -> None:
        for prop in shape.params.get(SH.property, []):
            path = self.graph.value(prop, SH.path)
            if not isinstance(path, URIRef):
                raise Unsupported(f"complex or missing sh:path on {prop}")
            shape.properties.append(self._compile(prop, path))
        shape.nodes = list(shape.params.get(SH.node, []))
        for ref in shape.nodes:
            self._compile(ref, None)
        flags = str(shape.one(SH.flags) or "").lower()
        re_flags = (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
        shape.regexes = [re.compile(str(p), re_flags) for p in shape.params.get(SH.pattern, [])]
        for name in (SH.languageIn, SH["in"]):
            shape.params[name] = [list(Collection(self.graph, lst)) for lst in shape.params.get(name, [])]  # type: ignore[misc]
        for name in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
            if len(shape.params.get(name, [])) > 1:
                raise Unsupported(f"several {name} on one shape")
        if shape.params.get(SH.hasValue):
            raise Unsupported("sh:hasValue")  # a per-focus check, not per value: left to pyshacl
        shape.checks = value_checks(shape)
        shape.class_keys = [key(c) for c in shape.params.get(CLASS, [])]


def value_checks(shape: Shape) -> list[tuple[URIRef, Callable[[Term], bool]]]:
    """(component, test) for every value constraint of a shape that needs no data look-up."""
    p, checks = shape.params, []
    for dt in p.get(SH.datatype, []):
        checks.append((SH.DatatypeConstraintComponent, partial(datatype_ok, dt=dt)))
    for kind in p.get(SH.nodeKind, []):
        if kind not in NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {kind}")
        checks.append((SH.NodeKindConstraintComponent, partial(nodekind_ok, kind=NODE_KINDS[kind])))
    for regex in shape.regexes:
        checks.append((SH.PatternConstraintComponent, partial(pattern_ok, regex=regex)))
    for n in p.get(SH.minLength, []):
        checks.append((SH.MinLengthConstraintComponent, partial(min_length_ok, n=int(n))))
    for n in p.get(SH.maxLength, []):
        checks.append((SH.MaxLengthConstraintComponent, partial(max_length_ok, n=int(n))))
    for langs in p.get(SH.languageIn, []):
        wanted = frozenset(str(x).lower() for x in langs)  # type: ignore[union-attr]
        checks.append((SH.LanguageInConstraintComponent, partial(language_ok, wanted=wanted)))
    for key, (component, accept) in RANGE.items():
        for bound in p.get(key, []):
            checks.append((component, partial(range_ok, bound=bound, accept=accept)))
    for members in p.get(SH["in"], []):
        checks.append((SH.InConstraintComponent, frozenset(members).__contains__))  # type: ignore[arg-type]
    return checks


def key(term: Term) -> str:
    """A plain-str key for a term: dict look-ups on rdflib terms call their Python-level __eq__."""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return "_:" + term
    return "\x00" + term.n3()


class DataIndex:
    """Subject → predicate → objects, and class → instances, for one document's triples (str keys)."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
        self.out: dict[str, dict[str, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.instances: dict[str, set[Term]] = defaultdict(set)
        self.subclass_of: dict[str, set[str]] = defaultdict(set)
        self.by_predicate: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        type_key, subclass_key = str(TYPE), str(SUBCLASS)
        for s, p, o in triples:
            pk = str(p)
            objects = self.out[key(s)][pk]
            if o in objects:
                continue
            objects.add(o)
            self.by_predicate[pk].append((s, o))
            if pk == type_key:
                self.instances[key(o)].add(s)
            elif pk == subclass_key:
                self.subclass_of[key(s)].add(key(o))
        self._supers: dict[str, set[str]] = {}

    def objects(self, s: Term, p: str) -> set[Term]:
        by_p = self.out.get(key(s))
        return by_p.get(p, set()) if by_p else set()

    def supers(self, cls: str) -> set[str]:
        """cls and every class it is transitively a subclass of (pyshacl: transitive_objects)."""
        if cls not in self._supers:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.subclass_of.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._supers[cls] = seen
        return self._supers[cls]

    def instances_of(self, cls: Term) -> set[Term]:
        """Instances of cls or of any of its subclasses."""
        ck = key(cls)
        found = set(self.instances.get(ck, ()))
        for sub in list(self.subclass_of):
            if sub != ck and ck in self.supers(sub):
                found |= self.instances.get(sub, set())
        return found

    def is_instance(self, node: Term, cls: str) -> bool:
        if isinstance(node, Literal):
            return False
        return any(cls in self.supers(key(t)) for t in self.objects(node, TYPE_KEY))


class Checker:
    def __init__(self, compiled: CompiledShapes, data: DataIndex) -> None:
        self.c, self.d = compiled, data
        self._conforms: dict[tuple[Term, Term], bool] = {}

    def run(self) -> list[Result]:
        results: list[Result] = []
        for shape in self.c.targeted:
            for focus in self.focus_nodes(shape):
                results.extend(self.node_results(shape, focus))
        return results

    def focus_nodes(self, shape: Shape) -> set[Term]:
        found = set(shape.params.get(SH.targetNode, []))
        for cls in shape.params.get(SH.targetClass, []):
            found |= self.d.instances_of(cls)
        for p in shape.params.get(SH.targetSubjectsOf, []):
            found.update(s for s, _o in self.d.by_predicate.get(str(p), ()))
        for p in shape.params.get(SH.targetObjectsOf, []):
            found.update(o for _s, o in self.d.by_predicate.get(str(p), ()))
        return found

    def node_results(self, shape: Shape, focus: Term) -> Iterator[Result]:
        """All results of one node shape on one focus node (its own constraints, then its properties)."""
        yield from self.value_results(shape, focus, [focus])
        for prop in shape.properties:
            yield from self.property_results(prop, focus)

    def property_results(self, prop: Shape, focus: Term) -> Iterator[Result]:
        values = self.d.objects(focus, str(prop.path))
        count = len(values)
        min_count, max_count = prop.one(MIN_COUNT), prop.one(MAX_COUNT)
        if min_count is not None and count < int(min_count):
            yield focus, prop.path, SH.MinCountConstraintComponent, None, prop.node
        if max_count is not None and count > int(max_count):
            yield focus, prop.path, SH.MaxCountConstraintComponent, None, prop.node
        yield from self.value_results(prop, focus, values)
        for other in prop.params.get(LTE, ()):
            yield from self._less_or_equal(prop, focus, values, self.d.objects(focus, str(other)))
        for unique in prop.params.get(UNIQUE_LANG, ()):
            if bool(unique.toPython()):
                yield from self._unique_lang(prop, focus, values)
        for sub in prop.properties:
            for value in values:
                yield from self.property_results(sub, value)

    def value_results(self, shape: Shape, focus: Term, values: Iterable[Term]) -> Iterator[Result]:
        for value in values:
            for component in self.failed_components(shape, value):
                yield focus, shape.path, component, value, shape.node

    def failed_components(self, shape: Shape, v: Term) -> Iterator[URIRef]:
        for component, ok in shape.checks:
            if not ok(v):
                yield component
        for cls in shape.class_keys:
            if not self.d.is_instance(v, cls):
                yield SH.ClassConstraintComponent
        for ref in shape.nodes:
            if not self.conforms(ref, v):
                yield SH.NodeConstraintComponent

    def conforms(self, ref: Term, node: Term) -> bool:
        key = (ref, node)
        if key not in self._conforms:
            self._conforms[key] = next(iter(self.node_results(self.c.shapes[ref], node)), None) is None
        return self._conforms[key]

    def _less_or_equal(
        self, prop: Shape, focus: Term, values: set[Term], others: set[Term]
    ) -> Iterator[Result]:
        for value in values:
            for other in others:
                if isinstance(value, BNode) or isinstance(other, BNode):
                    raise Unsupported("sh:lessThanOrEquals on a blank node")  # pyshacl raises here
                (a, a_str), (b, b_str) = comparable(value), comparable(other)
                if a_str != b_str:
                    ok = False
                else:
                    try:
                        ok = bool(a <= b)
                    except TypeError as exc:
                        raise Unsupported("incomparable values for sh:lessThanOrEquals") from exc
                if not ok:
                    yield focus, prop.path, SH.LessThanOrEqualsConstraintComponent, value, prop.node

    def _unique_lang(self, prop: Shape, focus: Term, values: set[Term]) -> Iterator[Result]:
        seen: dict[str, int] = defaultdict(int)
        for v in values:
            if isinstance(v, Literal) and v.language:
                seen[v.language.lower()] += 1
        for _lang, n in sorted(seen.items()):
            if n > 1:
                yield focus, prop.path, SH.UniqueLangConstraintComponent, None, prop.node


def pattern_ok(v: Term, regex: re.Pattern[str]) -> bool:
    return not isinstance(v, BNode) and bool(regex.match(as_string(v)) or regex.search(as_string(v)))


def min_length_ok(v: Term, n: int) -> bool:
    return n == 0 or (not isinstance(v, BNode) and len(as_string(v)) >= n)


def max_length_ok(v: Term, n: int) -> bool:
    return not isinstance(v, BNode) and len(as_string(v)) <= n


def as_string(v: Term) -> str:
    """pyshacl's value_node_to_string."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in STRING_TYPES:
        return str(v.value)
    return str(v)


def comparable(v: Term) -> tuple[object, bool]:
    """The value pyshacl compares for sh:lessThanOrEquals, and whether it is a string (Literal is a str!)."""
    if isinstance(v, URIRef):
        return str(v), True
    if isinstance(v, Literal) and isinstance(v.value, str):
        return v.value, True
    return v, False


def datatype_ok(v: Term, dt: Term) -> bool:
    """pyshacl's DatatypeConstraintComponent, including its ill-typed literal rule."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        return getattr(v, "ill_typed", None) is not True and actual_datatype_ok(v, dt)
    if dt == RDFS.Literal or (dt == RDFS.Datatype and v.datatype):
        return True
    if v.datatype is None and v.language is None and dt == XSD.string:
        return actual_datatype_ok(v, dt)
    if dt == RDF.langString and v.language:
        return actual_datatype_ok(v, dt)
    return False


PYTHON_TYPES: dict[Term, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: dtm.date, XSD.time: dtm.time, XSD.dateTime: dtm.datetime,
}
NODE_KINDS: dict[Term, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}


def actual_datatype_ok(v: Literal, dt: Term) -> bool:
    kind = PYTHON_TYPES.get(dt)
    return True if kind is None else isinstance(v.value, kind)


def nodekind_ok(v: Term, kind: tuple[type, ...]) -> bool:
    return isinstance(v, kind)


def language_ok(v: Term, wanted: set[str]) -> bool:
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = v.language.lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def range_ok(v: Term, bound: Term, accept: Callable[[int], bool]) -> bool:
    """pyshacl's value range components: strings only compare with strings; errors fail."""
    if not isinstance(v, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(v.value, str) != isinstance(bound.value, str):
        return False
    try:
        return bool(accept(compare_literal(v, bound)))
    except (TypeError, NotImplementedError):
        return False


def check(compiled: CompiledShapes, triples: Iterable[tuple[Term, Term, Term]]) -> list[Result]:
    """Every validation result for these triples; raises Unsupported when pyshacl must decide."""
    return Checker(compiled, DataIndex(triples)).run()
