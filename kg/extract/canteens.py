"""The 海淀食堂 box: one kg:Canteen per row (street, name, address), located in its street or town."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from kg.extract import ExtractionContext
from kg.extract.tables import body_rows, cell_value, cells, derived, gazetteer, mention, tables_with_header, zh
from kg.places import district_of, division_in, place_iri, place_triples
from kg.rdf.document import Triple
from kg.rdf.namespaces import KG, SCHEMA

HEADER = ("所属街道", "点位名称", "详细地址")


def extract_canteens(ctx: ExtractionContext) -> Iterator[Triple]:
    gaz = gazetteer(ctx)
    district = district_of(gaz, ctx.source.district)
    for _box, table in tables_with_header(ctx, *HEADER):
        for row in body_rows(table):
            row_cells = cells(row)
            if len(row_cells) != 3:
                continue
            street_cell, name_cell, address_cell = row_cells
            street, name = cell_value(street_cell), cell_value(name_cell)
            canteen = ctx.minter.entity("facility", "canteen", street, name)
            yield canteen, RDF.type, KG.Canteen
            yield canteen, RDFS.label, zh(name)
            yield canteen, SCHEMA.address, Literal(cell_value(address_cell))
            yield derived(ctx, canteen, row)
            yield from mention(ctx, canteen, name_cell, name)
            place = division_in(gaz, street, district)
            if place is not None:  # an unknown street stays in the address text only
                yield canteen, KG.locatedIn, place_iri(ctx.minter, place)
                yield from place_triples(ctx.minter, gaz, place)
