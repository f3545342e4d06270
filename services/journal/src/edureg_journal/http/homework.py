"""Files attached to a lesson's homework: attached one by one by the lesson's teacher,
downloaded by the lesson's readers and by its students and their guardians."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, UploadFile

from edureg_journal.domain.files import MAX_FILE_BYTES
from edureg_journal.http.schemas import HomeworkFileRead
from edureg_journal.services import homework
from edureg_shared.downloads import attachment
from edureg_shared.errors import InvalidState
from edureg_shared.http import Context, unit_of_work

# Under one prefix, so that only these requests may carry a file-sized body.
PREFIX = "/api/v1/homework"
router = APIRouter(prefix=PREFIX, tags=["homework files"])
Keep = Annotated[
    Context, unit_of_work(None, any_of=("journal.marks.write", "journal.marks.write.any"))
]
Anyone = Annotated[Context, unit_of_work(None)]


@router.get(
    "/{lesson_id}/files",
    response_model=list[HomeworkFileRead],
    summary="Файлы домашнего задания урока",
)
async def list_files(lesson_id: uuid.UUID, ctx: Anyone) -> list[HomeworkFileRead]:
    found = await homework.listed(session=ctx.session, principal=ctx.principal, lesson_id=lesson_id)
    return [HomeworkFileRead.model_validate(f) for f in found]


@router.post(
    "/{lesson_id}/files",
    response_model=HomeworkFileRead,
    status_code=201,
    summary="Прикрепить файл к домашнему заданию урока",
    description="PDF, документы, таблицы, презентации, изображения, текст; до 8 МБ, "
    "не больше 5 файлов на урок.",
)
async def attach_file(lesson_id: uuid.UUID, file: UploadFile, ctx: Keep) -> HomeworkFileRead:
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidState(
            "Файл не прикреплён: он больше 8 МБ",
            errors=[{"field": "file", "message": "Файл больше 8 МБ"}],
        )
    row = await homework.attach(
        session=ctx.session,
        principal=ctx.principal,
        lesson_id=lesson_id,
        name=file.filename,
        content=content,
    )
    return HomeworkFileRead.model_validate(row)


@router.get("/{lesson_id}/files/{file_id}", summary="Скачать файл домашнего задания")
async def download_file(lesson_id: uuid.UUID, file_id: uuid.UUID, ctx: Anyone) -> Response:
    row = await homework.download(
        session=ctx.session, principal=ctx.principal, lesson_id=lesson_id, file_id=file_id
    )
    return attachment(row.content, filename=row.name, media_type=row.media_type)


@router.delete(
    "/{lesson_id}/files/{file_id}", status_code=204, summary="Убрать файл из домашнего задания"
)
async def remove_file(lesson_id: uuid.UUID, file_id: uuid.UUID, ctx: Keep) -> Response:
    await homework.remove(
        session=ctx.session, principal=ctx.principal, lesson_id=lesson_id, file_id=file_id
    )
    return Response(status_code=204)
