"""``python -m optimizer`` runs the ``tierprice`` command line."""

from optimizer.console import run

if __name__ == "__main__":
    run()
