from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Route


async def authorize(request):
    return RedirectResponse(request.query_params["redirect_uri"] + "?code=abc123")


app = Starlette(routes=[Route("/authorize", authorize)])
