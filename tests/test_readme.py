"""README's code runs as printed: a tour that does not run teaches nothing."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_snippets_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no python snippets"
    monkeypatch.chdir(tmp_path)  # the tour saves a checkpoint
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_readme_quick_start_has_exactly_the_two_commands():
    quick_start = README.read_text().split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    assert quick_start.strip().splitlines() == ['pip install -e . && minigrad demo',
                                                'pip install -e ".[test]" && pytest']
