"""Every bad Copier answer is rejected with a message naming the question."""

from pathlib import Path

import copier
import pytest
from conftest import ROOT

BAD_ANSWERS = [
    ("project-name-empty", {"project_name": ""}, "project_name must not be empty"),
    ("project-name-space", {"project_name": "my adapter"}, "is not a valid distribution name"),
    ("project-name-upper", {"project_name": "Csp-Acme"}, "is not a valid distribution name"),
    ("project-name-digit-first", {"project_name": "9lives"}, "is not a valid distribution name"),
    ("project-name-double-dash", {"project_name": "csp--acme"}, "is not a valid distribution name"),
    ("project-name-trailing-dash", {"project_name": "csp-acme-"}, "is not a valid distribution name"),
    ("project-name-csp", {"project_name": "csp"}, "must not be 'csp'"),
    ("project-name-too-long", {"project_name": "a" * 61}, "at most 60 characters"),
    ("package-name-empty", {"package_name": ""}, "package_name must not be empty"),
    ("package-name-dash", {"package_name": "csp-acme"}, "is not a valid lowercase Python identifier"),
    ("package-name-digit-first", {"package_name": "1acme"}, "is not a valid lowercase Python identifier"),
    ("package-name-keyword", {"package_name": "class"}, "is a Python keyword"),
    ("package-name-stdlib", {"package_name": "json"}, "shadows the standard library module"),
    ("package-name-csp", {"package_name": "csp"}, "shadows the 'csp' package"),
    ("package-name-private", {"package_name": "_acme"}, "must not start with '_'"),
    ("adapter-name-empty", {"adapter_name": ""}, "adapter_name must not be empty"),
    ("adapter-name-lower", {"adapter_name": "acme"}, "must be CamelCase"),
    ("adapter-name-underscore", {"adapter_name": "Acme_Feed"}, "must be CamelCase"),
    ("adapter-name-suffix", {"adapter_name": "AcmeAdapter"}, "must be the stem only"),
    ("adapter-name-too-long", {"adapter_name": "A" * 41}, "at most 40 characters"),
    ("adapter-name-non-ascii", {"adapter_name": "Ünicode"}, "must be CamelCase"),
    ("adapter-name-clash", {"adapter_name": "Push"}, "which the plumbing's trait of that name already uses"),
    ("input-type-unknown", {"input_type": "complex"}, "input_type"),
    ("struct-name-empty", {"struct_name": "", "input_type": "struct"}, "struct_name must not be empty"),
    ("struct-name-lower", {"struct_name": "trade", "input_type": "struct"}, "must be CamelCase"),
    ("struct-name-taken", {"struct_name": "Synthetic", "output_type": "struct"}, "is taken: the generated project"),
    ("struct-name-adapter", {"struct_name": "AcmeInputAdapter", "input_type": "struct"}, "is taken"),
    ("struct-name-too-long", {"struct_name": "R" * 47, "input_type": "struct"}, "struct_name must be at most 46"),
    ("struct-fields-empty", {"struct_fields": " ", "input_type": "struct"}, "struct_fields must not be empty"),
    ("struct-fields-extra-comma", {"struct_fields": "price:float,", "input_type": "struct"}, "has an empty entry"),
    ("struct-fields-no-type", {"struct_fields": "price", "input_type": "struct"}, "must be name:type"),
    ("struct-fields-two-colons", {"struct_fields": "a:int:b", "output_type": "struct"}, "must be name:type"),
    ("struct-fields-upper", {"struct_fields": "Price:float", "input_type": "struct"}, "must be a lowercase identifier"),
    ("struct-fields-unicode", {"struct_fields": "größe:int", "input_type": "struct"}, "must be a lowercase identifier"),
    ("struct-fields-long-name", {"struct_fields": "a" * 41 + ":int", "input_type": "struct"}, "longer than 40"),
    ("struct-fields-keyword", {"struct_fields": "class:int", "input_type": "struct"}, "is a Python keyword"),
    ("struct-fields-rust-keyword", {"struct_fields": "fn:int", "input_type": "struct"}, "is a Rust keyword"),
    ("struct-fields-reserved", {"struct_fields": "copy:int", "input_type": "struct"}, "csp.Struct has a method"),
    ("struct-fields-duplicate", {"struct_fields": "a:int, a:float", "input_type": "struct"}, "appears twice"),
    ("struct-fields-unknown-type", {"struct_fields": "px:decimal", "input_type": "struct"}, "has unknown type"),
    ("struct-fields-two-marks", {"struct_fields": "flag:bool??", "input_type": "struct"}, "has unknown type"),
    ("output-type-unknown", {"output_type": "bytes"}, "output_type"),
    ("transport-unknown", {"transport": "mqtt"}, "Invalid choice for 'transport'"),
    (
        "transport-symbol-field",
        {"transport": "websocket", "input_type": "struct", "struct_fields": "symbol:int, px:float"},
        "the record's field 'symbol' (int) would share the key 'symbol'",
    ),
    (
        "transport-time-field",
        {"transport": "websocket", "output_type": "struct", "struct_fields": "px:float, time:int?"},
        "the record's field 'time' (int?) would share the key 'time'",
    ),
    (
        "transport-kafka-symbol-field",
        {"transport": "kafka", "input_type": "struct", "struct_fields": "symbol:float, px:float"},
        "transport kafka: the record's field 'symbol' (float) would share the key 'symbol'",
    ),
    ("build-backend-unknown", {"build_backend": "setuptools"}, "build_backend"),
    ("description-empty", {"description": "  "}, "description must not be empty"),
    ("description-multiline", {"description": "one\ntwo"}, "description must be a single line"),
    ("description-control", {"description": "tab\there"}, "description must not contain control characters"),
    ("description-trailing-space", {"description": "A feed "}, "description must not start or end with spaces"),
    ("description-quote", {"description": 'say "hi"'}, "description must not contain"),
    ("author-name-empty", {"author_name": ""}, "author_name must not be empty"),
    ("author-name-quote", {"author_name": 'Ann "the" Dev'}, "author_name must be one line without"),
    ("author-name-control", {"author_name": "Ann\x08"}, "author_name must not contain control characters"),
    ("author-email-empty", {"author_email": ""}, "author_email must not be empty"),
    ("author-email-backslash", {"author_email": "a\\b@example.com"}, "must not contain control characters or a"),
    ("author-email-no-at", {"author_email": "someone.example.com"}, "is not an email address"),
    ("author-email-no-domain", {"author_email": "someone@localhost"}, "is not an email address"),
    ("copyright-year-short", {"copyright_year": "26"}, "must be a four-digit year"),
    ("license-unknown", {"license": "WTFPL"}, "license"),
]


@pytest.mark.parametrize(
    ("answers", "message"), [(a, m) for _, a, m in BAD_ANSWERS], ids=[name for name, _, _ in BAD_ANSWERS]
)
def test_bad_answer_is_rejected(tmp_path: Path, answers: dict[str, str], message: str) -> None:
    question = next(iter(answers))
    with pytest.raises(ValueError) as error:
        copier.run_copy(str(ROOT), tmp_path / "out", data=answers, defaults=True, vcs_ref="HEAD", quiet=True)
    text = str(error.value)
    assert question in text and message in text
    assert not (tmp_path / "out" / "Cargo.toml").exists()


def test_defaults_render_without_trust(tmp_path: Path) -> None:
    # No tasks, migrations or extensions: rendering needs no --trust.
    copier.run_copy(str(ROOT), tmp_path / "out", defaults=True, unsafe=False, vcs_ref="HEAD", quiet=True)
    assert (tmp_path / "out" / "Cargo.toml").is_file()


def test_defaults_derive_from_project_name(tmp_path: Path) -> None:
    worker = copier.run_copy(
        str(ROOT), tmp_path / "out", data={"project_name": "csp-market-data"}, defaults=True, vcs_ref="HEAD", quiet=True
    )
    answers = worker.answers.combined
    assert answers["package_name"] == "csp_market_data"
    assert answers["adapter_name"] == "MarketData"
    assert answers["adapter_snake"] == "market_data"
    assert answers["output_type"] == answers["input_type"] == "int"


def test_readme_table_lists_every_rejected_answer() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name, answers, message in BAD_ANSWERS if message not in readme]
    assert missing == [], "add these cases to the README's table of rejected answers"
