import os

from fastapi import FastAPI

SERVICE_NAME = "inventory-api"


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "sqlite:///./inventory.db")


def create_app() -> FastAPI:
    # expect: debug-mode severity=medium id=debug-true
    app = FastAPI(title=SERVICE_NAME, debug=True)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "service": SERVICE_NAME}

    @app.get("/items/{item_id}")
    def get_item(item_id: int) -> dict[str, int]:
        if item_id < 0:
            raise ValueError("negative id")
        return {"id": item_id}

    return app


app = create_app()
