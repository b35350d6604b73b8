"""``python -m optimizer`` runs the ``tierprice`` command line."""

from optimizer.cli import main

if __name__ == "__main__":
    main()
