from edureg_portal.bootstrap import create
from edureg_portal.config import Settings
from edureg_shared.service import serve


def main() -> None:
    settings = Settings()
    serve(create(settings), settings)


if __name__ == "__main__":
    main()
