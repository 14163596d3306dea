"""examples/ holds the default rendering, a record rendering and a Kafka rendering; each must match the
template exactly."""

from pathlib import Path

import copier
import pytest
import yaml
from conftest import ROOT

EXAMPLE = ROOT / "examples" / "csp-adapter-acme"
RECORD_EXAMPLE = ROOT / "examples" / "csp-trade-tape"
KAFKA_EXAMPLE = ROOT / "examples" / "csp-kafka-quotes"
ANSWERS = ".copier-answers.yml"
# Where and from which commit it was rendered: differs by checkout, not by content.
VOLATILE_ANSWERS = ("_commit:", "_src_path:")


def tree(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".so":
            content = path.read_bytes()
            if path.name == ANSWERS:
                lines = content.decode().splitlines(keepends=True)
                content = "".join(line for line in lines if not line.startswith(VOLATILE_ANSWERS)).encode()
            files[str(path.relative_to(root))] = content
    return files


def test_example_is_the_default_rendering(tmp_path: Path) -> None:
    copier.run_copy(str(ROOT), tmp_path / "default", defaults=True, vcs_ref="HEAD", quiet=True)
    answers = yaml.safe_load((EXAMPLE / ANSWERS).read_text())
    rendered_answers = yaml.safe_load((tmp_path / "default" / ANSWERS).read_text())
    assert {k: v for k, v in answers.items() if not k.startswith("_") and k != "copyright_year"} == {
        k: v for k, v in rendered_answers.items() if not k.startswith("_") and k != "copyright_year"
    }


def test_record_example_has_a_record_a_name_of_several_words_the_websocket_transport_and_parquet() -> None:
    answers = yaml.safe_load((RECORD_EXAMPLE / ANSWERS).read_text())
    assert (answers["adapter_name"], answers["input_type"], answers["output_type"]) == ("TradeTape", "struct", "struct")
    assert answers["transport"] == "websocket"
    assert answers["parquet"] is True
    assert "?" in answers["struct_fields"]


def test_kafka_example_reads_records_from_kafka() -> None:
    answers = yaml.safe_load((KAFKA_EXAMPLE / ANSWERS).read_text())
    assert (answers["adapter_name"], answers["input_type"], answers["transport"]) == ("KafkaQuotes", "struct", "kafka")
    assert (KAFKA_EXAMPLE / "core" / "src" / "kafka" / "source.rs").is_file()


@pytest.mark.parametrize("example", [EXAMPLE, RECORD_EXAMPLE, KAFKA_EXAMPLE], ids=lambda path: path.name)
def test_example_has_not_drifted(tmp_path: Path, example: Path) -> None:
    answers = yaml.safe_load((example / ANSWERS).read_text())
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    copier.run_copy(str(ROOT), tmp_path / "again", data=data, defaults=True, vcs_ref="HEAD", quiet=True)
    expected, actual = tree(tmp_path / "again"), tree(example)
    assert sorted(actual) == sorted(expected), "files differ: run `make example`"
    changed = [name for name in expected if expected[name] != actual[name]]
    assert changed == [], "content differs: run `make example`"
