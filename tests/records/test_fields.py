from corridor.records.fields import FieldKind, fold_column, infer_fields


def test_english_and_spanish_column_names_infer_the_same_kinds():
    english = infer_fields(["id", "first_name", "last_name", "date_of_birth", "gender", "passport"])
    spanish = infer_fields(
        [
            "id",
            "Nombres",
            "Apellido Paterno",
            "Apellido_Materno",
            "Fecha de Nacimiento",
            "Sexo",
            "Pasaporte",
            "Teléfono",
        ]
    )
    assert english[FieldKind.GIVEN_NAME] == "first_name"
    assert english[FieldKind.SURNAME] == "last_name"
    assert english[FieldKind.DOB] == "date_of_birth"
    assert english[FieldKind.SEX] == "gender"
    assert english[FieldKind.DOC_NUMBER] == "passport"
    assert spanish[FieldKind.GIVEN_NAME] == "Nombres"
    assert spanish[FieldKind.SURNAME] == "Apellido Paterno"
    assert spanish[FieldKind.SURNAME2] == "Apellido_Materno"
    assert spanish[FieldKind.DOB] == "Fecha de Nacimiento"
    assert spanish[FieldKind.PHONE] == "Teléfono"


def test_unknown_columns_are_not_guessed_and_config_wins():
    found = infer_fields(["id", "soc_sec_id", "nombre_completo", "x"], {"given_name": "x"})
    assert found == {FieldKind.GIVEN_NAME: "x"}


def test_fold_column():
    assert fold_column(" Fecha de Nacimiento ") == "fecha_de_nacimiento"
    assert fold_column("Teléfono-Móvil") == "telefono_movil"
