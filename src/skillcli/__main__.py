"""``python -m skillcli`` runs the command line."""

from skillcli.cli.app import main

if __name__ == "__main__":
    main()
