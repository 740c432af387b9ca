"""How the resolver names organizations in a district the register (Haidian's bodies) does not list."""

from __future__ import annotations

from rdflib import RDFS, SKOS, Literal

from kg.gazetteer import load_gazetteer
from kg.rdf.iris import Minter
from kg.registers import load_register
from kg.resolve import Resolver, Scope

BASE = "https://kg.example/"


def resolver(code: str, prefixes: tuple[str, ...]) -> Resolver:
    return Resolver(Minter(BASE), load_gazetteer(), load_register(), Scope(code, prefixes))


DONGTANG = resolver("name:东塘区", ("华北市东塘区", "东塘区", "华北市"))
HAIDIAN = resolver("110108000000", ("北京市海淀区", "北京市", "海淀区", "北京", "海淀"))


def test_every_written_form_of_a_registered_kind_is_one_body_of_the_district() -> None:
    forms = [DONGTANG.organization(s, "unregistered") for s in ("区财政局", "东塘区财政局", "华北市东塘区财政局")]
    assert len({f.iri for f in forms}) == 1
    labels = {o for f in forms for s, p, o in f.triples if p == RDFS.label}
    assert labels == {Literal("区财政局", lang="zh")}  # as the reports write it, whichever form came first
    alt = {o for f in forms for s, p, o in f.triples if p == SKOS.altLabel}
    assert alt == {Literal("东塘区财政局", lang="zh"), Literal("华北市东塘区财政局", lang="zh")}


def test_the_same_kind_in_two_districts_and_in_haidian_are_three_bodies() -> None:
    other = resolver("name:西岭区", ("西岭区",))
    iris = {r.organization("区财政局", "unregistered").iri for r in (DONGTANG, other, HAIDIAN)}
    assert len(iris) == 3
    assert str(HAIDIAN.organization("区财政局", "unregistered").iri) == f"{BASE}id/org/dist-finance"  # the register's


def test_an_unregistered_unit_is_keyed_by_its_name_without_the_district() -> None:
    a = DONGTANG.organization("东塘区某某中心", "unregistered")
    b = DONGTANG.organization("某某中心", "unregistered")
    assert a.iri == b.iri and a.key == "某某中心"
