"""``python -m portico.kit.embedded``. A package's ``__main__`` rather than a module run as
the main one: a child process of the document pipeline's fork server (``portico.pdf.run_isolated``)
then does not import the whole of Portico again before its work, which cost seconds each."""

from portico.kit.embedded import main

main()
