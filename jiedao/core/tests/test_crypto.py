import pytest
from django.db import connection

from jiedao.accounts.models import User
from jiedao.core import crypto


def test_encrypt_round_trip_and_ciphertext_differs_each_time():
    a, b = crypto.encrypt("13812341234"), crypto.encrypt("13812341234")
    assert a != b
    assert "13812341234" not in a
    assert crypto.decrypt(a) == "13812341234"


def test_decrypt_with_another_key_fails_loudly(settings):
    token = crypto.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEY = "another-key-another-key-another-key"
    with pytest.raises(ValueError, match="FIELD_ENCRYPTION_KEY"):
        crypto.decrypt(token)


def test_keyed_hash_is_stable_normalised_and_keyed(settings):
    assert crypto.keyed_hash("11010519491231002x") == crypto.keyed_hash(" 11010519491231002X")
    first = crypto.keyed_hash("11010519491231002X")
    settings.FIELD_ENCRYPTION_KEY = "another-key-another-key-another-key"
    assert crypto.keyed_hash("11010519491231002X") != first


@pytest.mark.django_db
def test_user_phone_is_stored_encrypted():
    user = User.objects.create(username="enc", phone="13812341234")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        (stored,) = cursor.fetchone()
    assert "1234" not in stored
    assert User.objects.get(pk=user.pk).phone == "13812341234"
