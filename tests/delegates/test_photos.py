"""Badge photos: taken by content, refused with a clear message when wrong, stripped of EXIF (no GPS leaves
the server), turned upright and cropped to 3:4, shown only to the delegation's focal points and organisers."""
import io
import re

import pytest
from PIL import Image

from dialogue.delegates import photos
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.jobs import storage

from .. import factories as f
from . import factories as df

FORM = {"salutation": "ms", "given_name": "Ana", "family_name": "Pérez", "email": "ana@example.org",
        "gender": "female", "role": "member", "attendance": "in_person", "function": "Directora"}


def photo_with_gps(size=(1200, 800), orientation=6) -> bytes:
    """A landscape JPEG whose EXIF says where it was taken and that it is to be turned a quarter."""
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste((250, 250, 0), (0, 0, 200, 200))  # a yellow corner, to see which way it was turned
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (46.0, 12.0, 0.0), 3: "E", 4: (6.0, 8.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def post(client, url, data: dict, photo: bytes | None, filename="photo.jpg"):
    body = dict(data)
    if photo is not None:
        body["photo"] = (io.BytesIO(photo), filename)
    return client.post(url, data=body, content_type="multipart/form-data")


@pytest.fixture
def focal(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    return ev, d, f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new"


def test_photo_is_stored_without_exif_upright_and_cropped_to_the_badge(client, focal):
    ev, d, url = focal
    response = post(client, url, FORM, photo_with_gps())
    assert response.status_code == 302
    delegate = db.session.query(Delegate).one()
    stored = storage.read(delegate.photo_sha256)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == photos.SIZE
    assert not image.getexif() and "exif" not in image.info  # no GPS, no camera
    assert b"SpyCam" not in stored and b"GPS" not in stored
    # Orientation 6 turns the landscape into a portrait: the yellow corner is now top right.
    assert image.getpixel((photos.SIZE[0] - 5, 5))[2] < 100
    # The preview: on the delegation page and on the form, served by the app, never cached.
    page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    src = re.search(r'src="([^"]+/photo\.jpg)"', page).group(1)
    served = client.get(src)
    assert served.status_code == 200 and served.data == stored and "no-store" in served.headers["Cache-Control"]
    form = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{delegate.id}/edit").get_data(as_text=True)
    assert 'id="photo-preview"' in form


@pytest.mark.parametrize("name,body,message", [
    ("pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not a JPEG or PNG photo"),
    ("bomb", None, "too large: at most 40 megapixels"),
    ("broken", None, "damaged"),
    ("empty", b"", "The photo file is empty"),
    ("none chosen", b"", None),
])
def test_wrong_photos_are_refused_with_a_clear_message_and_the_form_keeps_what_was_typed(client, focal, name, body,
                                                                                        message):
    _ev, _d, url = focal
    if name == "bomb":
        body = png((20_000, 20_000), mode="1")  # a few kB on disk, 400 megapixels decoded
    if name == "broken":
        body = photo_with_gps()[:3000]
    filename = "" if name == "none chosen" else "photo.jpg"  # what a browser sends when no file is chosen
    response = post(client, url, FORM | {"family_name": "Núñez del Prado"}, body, filename=filename)
    text = response.get_data(as_text=True)
    if message is None:  # no file chosen: no photo, the nomination goes through
        assert response.status_code == 302
        assert db.session.query(Delegate).one().photo_sha256 is None
        return
    assert response.status_code == 422
    assert message in text
    assert 'value="Núñez del Prado"' in text and 'value="Directora"' in text
    assert db.session.query(Delegate).count() == 0


def test_an_oversized_photo_is_refused(client, focal):
    _ev, _d, url = focal
    big = photo_with_gps()[:-2] + b"\0" * (photos.MAX_BYTES + 10) + b"\xff\xd9"
    response = post(client, url, FORM, big)
    assert response.status_code == 422 and "at most 6 MB" in response.get_data(as_text=True)


def test_a_png_with_transparency_becomes_a_white_backed_jpeg(app):
    stored = photos.prepare(png((400, 400), mode="RGBA"))
    image = Image.open(io.BytesIO(stored))
    assert image.mode == "RGB" and image.size == photos.SIZE and image.getpixel((10, 10)) == (255, 255, 255)


def test_photo_is_served_only_to_its_delegation_and_organisers(app, client, auth):
    from dialogue.auth import grant_role
    ev = f.event()
    user, d = df.focal_point(ev)
    other, _other_d = df.focal_point(ev, "CL")
    org = f.user()
    grant_role(org, ev, "organiser")
    delegate = df.delegate(d, photo_sha256=photos.store(photo_with_gps()))
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{delegate.id}/photo.jpg"
    assert client.get(url).status_code in (302, 401)
    auth.login(other.email)
    assert client.get(url).status_code == 404
    auth.login(org.email)
    assert client.get(url).status_code == 200
    auth.login(user.email)
    assert client.get(url).status_code == 200


def test_a_photo_can_be_replaced_and_removed(client, focal):
    ev, d, url = focal
    post(client, url, FORM, photo_with_gps())
    delegate = db.session.query(Delegate).one()
    first = delegate.photo_sha256
    edit = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{delegate.id}/edit"
    assert post(client, edit, FORM, photo_with_gps(orientation=1)).status_code == 302
    db.session.refresh(delegate)
    assert delegate.photo_sha256 not in (None, first)
    assert post(client, edit, FORM | {"remove_photo": "y"}, None).status_code == 302
    db.session.refresh(delegate)
    assert delegate.photo_sha256 is None
