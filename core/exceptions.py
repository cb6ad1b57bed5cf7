"""The base class of every business refusal."""


class ApplicationError(Exception):
    """Refuse a request for a business reason, with a stable code and an HTTP status."""

    status_code: int = 400
    code: str = "invalid"
    detail: str = "The request could not be completed."

    def __init__(self, detail: str | None = None) -> None:
        if detail is not None:
            self.detail = detail
        super().__init__(self.detail)
