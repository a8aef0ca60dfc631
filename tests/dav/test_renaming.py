"""A card from a phone, renamed through the JSON API: what CardDAV serves afterwards."""

from .conftest import card


def test_a_json_rename_keeps_middle_names_and_honorifics(dav, client, auth_headers):
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:quincy\r\nN:Doe;John;Quincy;Dr.;Jr.\r\n"
            "FN:Dr. John Quincy Doe Jr.\r\nEND:VCARD\r\n")
    assert dav.put("quincy.vcf", text).status_code == 201
    [made] = client.get("/api/contacts/", headers=auth_headers).get_json()
    assert (made["first_name"], made["last_name"]) == ("John", "Doe")

    response = client.patch(f"/api/contacts/{made['id']}", json={"last_name": "Smith"},
                            headers=auth_headers)
    assert response.status_code == 200

    served = dav.get("quincy.vcf").get_data(as_text=True).split("\r\n")
    assert "N:Smith;John;Quincy;Dr.;Jr." in served
    assert "FN:Dr. John Quincy Smith Jr." in served
    assert not any(line.startswith(("N:Doe", "FN:Dr. John Quincy Doe")) for line in served)


def test_a_json_rename_of_a_card_without_extra_name_parts(dav, client, auth_headers):
    assert dav.put("ada.vcf", card(uid="ada", fn="Ada Lovelace")).status_code == 201
    [made] = client.get("/api/contacts/", headers=auth_headers).get_json()
    client.patch(f"/api/contacts/{made['id']}", json={"first_name": "Augusta Ada"},
                 headers=auth_headers)
    served = dav.get("ada.vcf").get_data(as_text=True).split("\r\n")
    assert "N:Lovelace;Augusta Ada;;;" in served
    assert "FN:Augusta Ada Lovelace" in served
