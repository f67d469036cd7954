"""The worker's one error type. Codes are those of dicentra's error catalogue
(src/formats/error-catalogue.ts) so the TypeScript bridge can pass them on."""

from typing import Optional


class WorkerError(Exception):
    """A failure the user can act on: what happened, where, and what to do."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        file: Optional[str] = None,
        field: Optional[str] = None,
        hint: Optional[str] = None,
        exit_code: int = 4,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.field = field
        self.hint = hint
        self.exit_code = exit_code

    def to_event(self) -> dict:
        event = {"event": "error", "code": self.code, "message": self.message}
        for key in ("file", "field", "hint"):
            value = getattr(self, key)
            if value is not None:
                event[key] = value
        return event


def config_error(message: str, field: str, hint: str, code: str = "DCN_E_OPTION_INVALID") -> WorkerError:
    return WorkerError(code, message, field=field, hint=hint, exit_code=2)


class TrainingDiverged(WorkerError):
    """The loss became NaN or infinite: the run stops before writing anything of that epoch."""

    def __init__(self, epoch: int, batch: int, value: float) -> None:
        super().__init__(
            "DCN_E_TRAINING_DIVERGED",
            f"the training loss became {value} at epoch {epoch}, batch {batch}; "
            "nothing of this epoch was written",
            field="learningRate",
            hint="lower --lr (or the weight decay), check the images for corrupt values, "
            "then continue from the last good epoch with --resume",
            exit_code=4,
        )
        self.epoch = epoch
        self.batch = batch
