"""What kind of file is this? By name first, then by content (shebang, notebook or traffic JSON)."""

from __future__ import annotations

import re

SUFFIX_KINDS = {
    ".py": "python", ".pyw": "python", ".pyi": "python",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell", ".bats": "shell",
    ".md": "markdown", ".markdown": "markdown", ".mdx": "markdown", ".rst": "markdown",
    ".ipynb": "notebook",
    ".yaml": "yaml", ".yml": "yaml", ".tpl": "yaml",
    ".json": "json",
    ".mk": "makefile",
}
NAME_KINDS = {
    "dockerfile": "dockerfile", "containerfile": "dockerfile",
    "makefile": "makefile", "gnumakefile": "makefile",
}
MANIFEST_KEYS = re.compile(rb"(?m)^apiVersion:\s*\S+\s*$(?:.|\n)*?^kind:\s*\w+|^kind:\s*\w+\s*$(?:.|\n)*?^apiVersion:")
SHEBANG = re.compile(rb"^#![^\n]*\b(?:(python[0-9.]*)|(bash|sh|zsh|ksh|dash))\b")


TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".gotmpl")

# Shell start-up files carry no extension and no shebang: they are known by name. Dotfile
# repositories often keep them without the dot (`bashrc`), so the unambiguous ones match both.
SHELL_DOTFILES = frozenset({
    "bashrc", "bash_profile", "bash_login", "bash_logout", "bash_aliases", "bash_functions",
    "zshrc", "zshenv", "zprofile", "zlogin", "zlogout", "kshrc", "mkshrc",
})
SHELL_DOTTED_ONLY = frozenset({"profile", "aliases", "functions", "exports", "envrc"})
SHELL_NAME_SUFFIXES = ("_aliases", ".aliases", "_functions", ".functions")


def is_shell_dotfile(lower: str) -> bool:
    """`.bashrc`, `bashrc`, `.profile`, `.runai_aliases`, `team.aliases`, `.zshrc.local`."""
    bare = lower[1:] if lower.startswith(".") else lower
    stem = bare.removesuffix(".local")
    if stem in SHELL_DOTFILES or (lower.startswith(".") and stem in SHELL_DOTTED_ONLY):
        return True
    return stem.endswith(SHELL_NAME_SUFFIXES)


def kind_from_name(name: str) -> str | None:
    lower = name.lower()
    for suffix in TEMPLATE_SUFFIXES:
        if lower.endswith(suffix) and lower[: -len(suffix)].rsplit("/", 1)[-1].count("."):
            # deploy.yaml.j2 is a YAML template: the manifest scanner masks its tags.
            return kind_from_name(name[: -len(suffix)])
    if lower in NAME_KINDS:
        return NAME_KINDS[lower]
    if lower.startswith(("dockerfile.", "containerfile.")) or lower.endswith(".dockerfile"):
        return "dockerfile"
    if is_shell_dotfile(lower):
        return "shell"
    for suffix, kind in SUFFIX_KINDS.items():
        if lower.endswith(suffix):
            return kind
    return None


def sniff(name: str, head: bytes) -> str:
    """The scanner kind for a file: python, shell, markdown, notebook, yaml, json, dockerfile,
    makefile, a traffic kind (har, audit-log, access-log, postman) or "text" for the rest."""
    from runai_audit.scanners.traffic import sniff_traffic_kind

    traffic = sniff_traffic_kind(head, name)
    if traffic:
        return traffic
    match = SHEBANG.match(head)
    if match:
        return "python" if match.group(1) else "shell"
    by_name = kind_from_name(name)
    if by_name == "json" and b'"nbformat"' in head and b'"cells"' in head:
        return "notebook"
    if by_name:
        return by_name
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") and b'"nbformat"' in head:
        return "notebook"
    if stripped.startswith((b"{", b"[")) and b'"apiVersion"' in head:
        return "json"
    if MANIFEST_KEYS.search(head):
        return "yaml"  # a manifest without a telling name: stdin, `manifest`, `job.k8s`
    return "text"


# What a text piped in without a name most likely is, judged from its first lines. Only used
# for stdin without --stdin-filename: a file on disk keeps its name's verdict.
_PYTHON_LINE = re.compile(
    rb"(?m)^(?:import [\w.]+|from [\w.]+ import |def \w+\(|class \w+[(:]|async def \w+\(|if __name__ == )"
)
_SHELL_LINE = re.compile(
    rb"(?m)^\s*(?:curl|wget|http|https|runai|runai-adm|kubectl|export|set -[euxo]+|source|echo|jq|for \w+ in|"
    rb"if \[|while |\w+=\$\(|\w+=\"?\$)\b"
)
_YAML_LINE = re.compile(rb"(?m)^(?:---\s*$|[A-Za-z_][\w.-]*:(?:\s|$)|- [A-Za-z_][\w.-]*:\s)")
_FENCE = re.compile(rb"(?m)^\s*(?:```|~~~)")


def sniff_content(head: bytes) -> str:
    """The kind of an unnamed text from its content: traffic (HAR, audit log, Postman, access
    log), JSON, Python, shell, Markdown with code blocks, YAML, else "text"."""
    kind = sniff("-", head)
    if kind != "text":
        return kind  # traffic, a shebang, a notebook, a JSON or YAML manifest
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "json"
    if _FENCE.search(head):
        return "markdown"
    python, shell = len(_PYTHON_LINE.findall(head)), len(_SHELL_LINE.findall(head))
    if python and python >= shell:
        return "python"
    if shell:
        return "shell"
    if _YAML_LINE.search(stripped):
        return "yaml"
    return "text"
