"""The field table round-trips: what `kubeforge.fields` writes, the runtime reads back."""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubeapi._runtime import model as runtime
from kubeforge import fields, source
from kubeforge.ir import Field, Package, TypeRef
from kubeforge.parse import parse


@pytest.fixture(scope="module")
def package() -> Package:
    spec = source.bundled()
    parsed, _ = parse(spec.document, None, "kubeapi", spec.sha256)
    return parsed


def _item_code(conv: Any) -> str:
    """The code a runtime converter was made from, as far as it can tell."""
    if isinstance(conv, runtime._Ref):
        return "@" + conv.name
    if isinstance(conv, runtime._Time):
        return "T" if conv.micro else "t"
    return "scalar"


def _expected_item(t: TypeRef, imp: fields.Imports) -> str:
    code = fields.code(t, imp)
    return code if code[0] in "@tT" else "scalar"


def test_every_field_of_the_bundled_spec_reads_back(package: Package) -> None:
    checked = 0
    for module in package.modules:
        imp = fields.Imports(module.name, package)
        for model in module.models:
            for f in model.fields:
                name, wire, code = fields.entry(f, imp).split(":", 2)
                read = runtime._field(name, wire, code, f"kubeapi.{module.name}")
                assert (read.name, read.wire) == (f.name, f.wire)
                assert type(read).__name__ == fields.KINDS[f.type.kind].descriptor
                if f.type.kind in ("list", "map"):
                    assert f.type.item is not None
                    if f.type.item.kind not in ("list", "map"):
                        assert _item_code(read.conv) == _expected_item(f.type.item, imp)
                elif f.type.kind == "model":
                    assert read.ref is not None and read.ref.name == code[1:]
                checked += 1
    assert checked > 3000


@given(st.text(min_size=1))
def test_any_wire_name_reads_back(wire: str) -> None:
    f = Field(wire=wire, name="field", type=TypeRef("str"), required=False, description="")
    imp = fields.Imports("m", Package("p", "0" * 64, ()))
    entry = fields.entry(f, imp)
    assert len(entry.split()) == 1 and entry.count(":") >= 2
    name, stored, code = entry.split(":", 2)
    assert runtime._field(name, stored, code, "p.m").wire == wire


_ANNOTATION = re.compile(r"_m\.(\w+)\[(.*)\]")


@pytest.mark.parametrize("module", ["core_v1", "apps_v1", "meta_v1", "apiextensions_v1"])
def test_annotations_name_the_descriptor_the_table_installs(module: str) -> None:
    """The two declarations of a field agree: its annotation and its field-table entry."""
    mod = importlib.import_module(f"kubeapi.{module}")
    for cls in vars(mod).values():
        if not (isinstance(cls, type) and issubclass(cls, runtime.Model)):
            continue
        annotations = inspect.get_annotations(cls)
        assert set(annotations) == set(cls._fields), cls
        for name, field in cls._fields.items():
            match = _ANNOTATION.fullmatch(annotations[name])
            assert match, annotations[name]
            assert type(field).__name__ == match[1], (cls, name)
            if isinstance(field, runtime.Object):
                assert field.ref is not None
                assert match[2].rpartition(".")[2] == field.ref.cls.__name__
