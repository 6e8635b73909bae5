"""Every word of the applicant pages in Spanish, English, French and Haitian Creole.

One table so a missing translation is a KeyError in tests, not a half-translated page.
"""

from __future__ import annotations

LANGS = ("es", "en", "fr", "ht")
LANG_NAMES = {"es": "Español", "en": "English", "fr": "Français", "ht": "Kreyòl ayisyen"}

# key: (es, en, fr, ht)
TEXT: dict[str, tuple[str, str, str, str]] = {
    "site": (
        "Oficinas de Movilidad Segura",
        "Safe Mobility Offices",
        "Bureaux de mobilité sûre",
        "Biwo Mobilite an Sekirite",
    ),
    "intro": (
        "Regístrese una sola vez para usted y su familia. El registro es gratuito.",
        "Register once for yourself and your family. Registration is free.",
        "Inscrivez-vous une seule fois pour vous et votre famille. L'inscription est gratuite.",
        "Enskri yon sèl fwa pou ou ak fanmi ou. Enskripsyon an gratis.",
    ),
    "register": ("Registrarse", "Register", "S'inscrire", "Enskri"),
    "check_status": (
        "Consultar mi estado",
        "Check my status",
        "Consulter mon dossier",
        "Tcheke estati mwen",
    ),
    "privacy": (
        "Aviso de privacidad",
        "Privacy notice",
        "Avis de confidentialité",
        "Avi sou vi prive",
    ),
    "privacy_text": (
        "Usamos sus datos solo para evaluar su caso y referirlo a programas de movilidad. "
        "Se guardan cifrados, solo el personal autorizado los ve y cada acceso queda "
        "registrado. Puede pedir una copia o su eliminación en cualquier momento con su "
        "número de registro y su clave secreta. Los casos cerrados se borran después del "
        "periodo de conservación.",
        "We use your data only to assess your case and refer it to mobility pathways. It is "
        "stored encrypted, only authorised staff can see it and every access is logged. You "
        "can ask for a copy or for its deletion at any time with your reference and your "
        "secret key. Closed cases are deleted after the retention period.",
        "Nous utilisons vos données uniquement pour évaluer votre dossier et l'orienter vers "
        "des voies de mobilité. Elles sont chiffrées, seul le personnel autorisé peut les voir "
        "et chaque accès est enregistré. Vous pouvez en demander une copie ou l'effacement à "
        "tout moment avec votre numéro et votre clé secrète. Les dossiers clos sont effacés "
        "après la durée de conservation.",
        "Nou itilize done ou yo sèlman pou evalye dosye ou epi voye li bay pwogram mobilite. "
        "Yo sere an kachèt, se sèlman anplwaye ki gen otorizasyon ki ka wè yo epi chak fwa "
        "yon moun gade yo sa anrejistre. Ou ka mande yon kopi oswa efase yo nenpòt ki lè ak "
        "nimewo ou ak kle sekrè ou. Dosye ki fèmen yo efase apre peryòd konsèvasyon an.",
    ),
    "consent": (
        "He leído el aviso de privacidad y acepto que se usen mis datos para este fin.",
        "I have read the privacy notice and agree to my data being used for this purpose.",
        "J'ai lu l'avis de confidentialité et j'accepte l'utilisation de mes données à cette fin.",
        "Mwen li avi sou vi prive a epi mwen dakò pou yo itilize done mwen pou sa.",
    ),
    "office": ("Oficina", "Office", "Bureau", "Biwo"),
    "applicant": (
        "Solicitante principal",
        "Main applicant",
        "Demandeur principal",
        "Aplikan prensipal",
    ),
    "member": (
        "Familiar {n} (opcional)",
        "Family member {n} (optional)",
        "Membre de la famille {n} (facultatif)",
        "Manm fanmi {n} (si ou vle)",
    ),
    "given_names": ("Nombres", "Given names", "Prénoms", "Non"),
    "surnames": ("Apellidos", "Surnames", "Noms de famille", "Siyati"),
    "dob": ("Fecha de nacimiento", "Date of birth", "Date de naissance", "Dat nesans"),
    "sex": ("Sexo", "Sex", "Sexe", "Sèks"),
    "sex_F": ("Mujer", "Female", "Femme", "Fi"),
    "sex_M": ("Hombre", "Male", "Homme", "Gason"),
    "sex_X": ("Otro", "Other", "Autre", "Lòt"),
    "nationality": ("Nacionalidad", "Nationality", "Nationalité", "Nasyonalite"),
    "relationship": ("Parentesco", "Relationship", "Lien de parenté", "Relasyon"),
    "rel_spouse": ("Pareja", "Spouse or partner", "Conjoint", "Mari oswa madanm"),
    "rel_child": ("Hijo o hija", "Child", "Enfant", "Pitit"),
    "rel_parent": ("Padre o madre", "Parent", "Parent", "Papa oswa manman"),
    "rel_sibling": ("Hermano o hermana", "Sibling", "Frère ou sœur", "Frè oswa sè"),
    "rel_other": ("Otro", "Other", "Autre", "Lòt"),
    "doc_type": ("Documento", "Document", "Document", "Dokiman"),
    "doc_none": ("Ninguno", "None", "Aucun", "Okenn"),
    "doc_passport": ("Pasaporte", "Passport", "Passeport", "Paspò"),
    "doc_national_id": ("Cédula o DNI", "National ID", "Carte d'identité", "Kat idantite"),
    "doc_ppt": ("Permiso (PPT)", "Permit (PPT)", "Permis (PPT)", "Pèmi (PPT)"),
    "doc_birth_certificate": (
        "Partida de nacimiento",
        "Birth certificate",
        "Acte de naissance",
        "Batistè",
    ),
    "doc_number": (
        "Número de documento",
        "Document number",
        "Numéro du document",
        "Nimewo dokiman",
    ),
    "arrival_date": (
        "Fecha de llegada al país",
        "Date you arrived in this country",
        "Date d'arrivée dans le pays",
        "Dat ou rive nan peyi a",
    ),
    "host_status": (
        "Situación migratoria",
        "Immigration status",
        "Situation migratoire",
        "Sitiyasyon imigrasyon",
    ),
    "st_regular": ("Regular", "Regular", "Régulière", "Regilye"),
    "st_irregular": ("Irregular", "Irregular", "Irrégulière", "Iregilye"),
    "st_asylum_seeker": (
        "Solicitante de asilo",
        "Asylum seeker",
        "Demandeur d'asile",
        "Moun ki mande azil",
    ),
    "st_refugee": ("Refugiado", "Refugee", "Réfugié", "Refijye"),
    "st_ppt_holder": ("Con PPT", "PPT holder", "Titulaire du PPT", "Gen PPT"),
    "st_other": ("Otra", "Other", "Autre", "Lòt"),
    "phone": (
        "Teléfono (opcional)",
        "Phone (optional)",
        "Téléphone (facultatif)",
        "Telefòn (si ou vle)",
    ),
    "email": (
        "Correo electrónico (opcional)",
        "E-mail (optional)",
        "Courriel (facultatif)",
        "Imèl (si ou vle)",
    ),
    "submit": (
        "Enviar registro",
        "Send registration",
        "Envoyer l'inscription",
        "Voye enskripsyon an",
    ),
    "choose": ("Elija", "Choose", "Choisissez", "Chwazi"),
    "registered_title": (
        "Registro recibido",
        "Registration received",
        "Inscription reçue",
        "Nou resevwa enskripsyon ou",
    ),
    "save_these": (
        "Guarde estos dos datos (anótelos o tome una foto). La clave secreta solo se "
        "muestra ahora.",
        "Keep these two (write them down or take a photo). The secret key is shown only now.",
        "Gardez ces deux éléments (notez-les ou prenez une photo). La clé secrète n'est "
        "montrée que maintenant.",
        "Kenbe de bagay sa yo (ekri yo oswa pran yon foto). Kle sekrè a parèt sèlman kounye a.",
    ),
    "reference": ("Número de registro", "Reference", "Numéro d'inscription", "Nimewo enskripsyon"),
    "secret": ("Clave secreta", "Secret key", "Clé secrète", "Kle sekrè"),
    "status": ("Estado", "Status", "État", "Estati"),
    "next_step": ("Próximo paso", "Next step", "Prochaine étape", "Pwochen etap"),
    "appointment": ("Cita", "Appointment", "Rendez-vous", "Randevou"),
    "none_yet": ("Todavía no", "Not yet", "Pas encore", "Poko genyen"),
    "referrals": ("Referencias", "Referrals", "Orientations", "Referans"),
    "show_status": ("Ver estado", "Show status", "Voir l'état", "Wè estati a"),
    "not_found": (
        "No encontramos un registro con ese número y esa clave.",
        "No registration with this reference and secret key.",
        "Aucune inscription avec ce numéro et cette clé secrète.",
        "Nou pa jwenn okenn enskripsyon ak nimewo sa a ak kle sa a.",
    ),
    "waiting_title": ("Sala de espera", "Waiting room", "Salle d'attente", "Sal datant"),
    "waiting_text": (
        "Hay muchas personas registrándose ahora. Sus datos no se perdieron: espere unos "
        "segundos y pulse «Intentar de nuevo». No se creará un registro doble.",
        "Many people are registering right now. Your answers are kept: wait a few seconds and "
        "press “Try again”. No second registration will be created.",
        "Beaucoup de personnes s'inscrivent en ce moment. Vos réponses sont gardées : attendez "
        "quelques secondes et appuyez sur « Réessayer ». Aucune double inscription ne sera créée.",
        "Gen anpil moun k ap enskri kounye a. Repons ou yo pa pèdi: tann kèk segonn epi peze "
        "«Eseye ankò». Pa gen de enskripsyon k ap fèt.",
    ),
    "try_again": ("Intentar de nuevo", "Try again", "Réessayer", "Eseye ankò"),
    "fix_errors": (
        "Revise estos campos:",
        "Please check these fields:",
        "Vérifiez ces champs :",
        "Tanpri verifye chan sa yo:",
    ),
    "required": ("obligatorio", "required", "obligatoire", "obligatwa"),
    "bad_value": ("valor no válido", "not a valid value", "valeur non valide", "valè sa a pa bon"),
    "error_title": (
        "Algo salió mal",
        "Something went wrong",
        "Un problème est survenu",
        "Yon bagay pa mache",
    ),
    "back": ("Volver", "Back", "Retour", "Retounen"),
    "s_registered": ("Registrado", "Registered", "Inscrit", "Enskri"),
    "s_eligible": (
        "Elegible: en espera de cita",
        "Eligible: waiting for an appointment",
        "Éligible : en attente de rendez-vous",
        "Elijib: ap tann yon randevou",
    ),
    "s_ineligible": (
        "No elegible por ahora",
        "Not eligible for now",
        "Non éligible pour le moment",
        "Pa elijib pou kounye a",
    ),
    "s_scheduled": (
        "Cita asignada",
        "Appointment given",
        "Rendez-vous fixé",
        "Ou gen yon randevou",
    ),
    "s_interviewed": ("Entrevista hecha", "Interviewed", "Entretien fait", "Entrevi fèt"),
    "s_referred": (
        "Referido a un programa",
        "Referred to a pathway",
        "Orienté vers un programme",
        "Yo voye dosye w nan yon pwogram",
    ),
    "s_closed": ("Cerrado", "Closed", "Clos", "Fèmen"),
    "s_withdrawn": ("Retirado", "Withdrawn", "Retiré", "Retire"),
    "n_wait_screening": (
        "Estamos revisando su registro.",
        "We are reviewing your registration.",
        "Nous examinons votre inscription.",
        "N ap revize enskripsyon ou.",
    ),
    "n_wait_appointment": (
        "Le avisaremos cuando tenga cita. Vuelva a consultar aquí.",
        "We will tell you when you have an appointment. Check back here.",
        "Nous vous préviendrons quand vous aurez un rendez-vous. Revenez ici.",
        "N ap fè w konnen lè w gen randevou. Tounen gade isit la.",
    ),
    "n_not_eligible": (
        "Según las reglas actuales no califica. Si su situación cambia, consulte de nuevo.",
        "Under the current rules you do not qualify. If your situation changes, check again.",
        "Selon les règles actuelles, vous n'êtes pas admissible. Si votre situation change, "
        "revenez.",
        "Dapre règ kounye a ou pa kalifye. Si sitiyasyon ou chanje, tounen tcheke.",
    ),
    "n_attend_appointment": (
        "Vaya a su cita con sus documentos y los de su familia.",
        "Go to your appointment with your and your family's documents.",
        "Allez à votre rendez-vous avec vos documents et ceux de votre famille.",
        "Ale nan randevou w ak papye w ak papye fanmi w.",
    ),
    "n_wait_referral": (
        "Estamos preparando su referencia.",
        "We are preparing your referral.",
        "Nous préparons votre orientation.",
        "N ap prepare referans ou.",
    ),
    "n_follow_referral": (
        "Su caso está con el país de destino; le avisaremos de cada paso.",
        "Your case is with the receiving country; we will tell you of each step.",
        "Votre dossier est chez le pays d'accueil ; nous vous informerons de chaque étape.",
        "Dosye w la nan men peyi k ap resevwa a; n ap fè w konnen chak etap.",
    ),
    "n_closed": (
        "Su caso está cerrado.",
        "Your case is closed.",
        "Votre dossier est clos.",
        "Dosye w la fèmen.",
    ),
    "n_withdrawn": (
        "Su registro fue retirado.",
        "Your registration was withdrawn.",
        "Votre inscription a été retirée.",
        "Enskripsyon w la retire.",
    ),
    "withdraw": (
        "Retirar mi registro y borrar mis datos",
        "Withdraw and delete my data",
        "Retirer mon inscription et effacer mes données",
        "Retire enskripsyon m epi efase done m",
    ),
    "withdrawn_done": (
        "Su registro fue retirado y sus datos borrados.",
        "Your registration was withdrawn and your data deleted.",
        "Votre inscription a été retirée et vos données effacées.",
        "Enskripsyon w la retire epi done w yo efase.",
    ),
    "eligible_yes": (
        "Según las reglas vigentes, califica.",
        "Under the rules in force, you qualify.",
        "Selon les règles en vigueur, vous êtes admissible.",
        "Dapre règ ki an vigè yo, ou kalifye.",
    ),
    "eligible_no": (
        "Según las reglas vigentes, no califica.",
        "Under the rules in force, you do not qualify.",
        "Selon les règles en vigueur, vous n'êtes pas admissible.",
        "Dapre règ ki an vigè yo, ou pa kalifye.",
    ),
}

NATIONALITIES: dict[str, tuple[str, str, str, str]] = {
    "VEN": ("Venezuela", "Venezuela", "Venezuela", "Venezyela"),
    "HTI": ("Haití", "Haiti", "Haïti", "Ayiti"),
    "CUB": ("Cuba", "Cuba", "Cuba", "Kiba"),
    "NIC": ("Nicaragua", "Nicaragua", "Nicaragua", "Nikaragwa"),
    "COL": ("Colombia", "Colombia", "Colombie", "Kolonbi"),
    "ECU": ("Ecuador", "Ecuador", "Équateur", "Ekwatè"),
    "GTM": ("Guatemala", "Guatemala", "Guatemala", "Gwatemala"),
    "HND": ("Honduras", "Honduras", "Honduras", "Ondiras"),
    "SLV": ("El Salvador", "El Salvador", "Salvador", "Salvadò"),
    "PER": ("Perú", "Peru", "Pérou", "Pewou"),
    "CHL": ("Chile", "Chile", "Chili", "Chili"),
    "BRA": ("Brasil", "Brazil", "Brésil", "Brezil"),
    "OTH": ("Otro país", "Other country", "Autre pays", "Lòt peyi"),
}


def t(lang: str, key: str, **kw: object) -> str:
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**kw) if kw else text


def nat_name(lang: str, code: str) -> str:
    names = NATIONALITIES.get(code)
    return names[LANGS.index(lang)] if names else code
