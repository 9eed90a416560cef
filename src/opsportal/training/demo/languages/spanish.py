"""The demo customer track in Spanish, partly: the track and its first course only, and that
course's summary translated from an earlier English wording, so it reads as outdated."""

from __future__ import annotations

from typing import Any

TRUE_FALSE = ["Verdadero", "Falso"]

# The English summary of the first course when it was translated; it has been reworded since.
EARLIER_SUMMARY = "Why early reporting matters and which channels exist."

SPEAK_UP = """# Por qué es importante alzar la voz

La mayoría de las conductas indebidas las detectan primero los compañeros, no
los auditores. Una organización solo se entera a tiempo de los problemas cuando
las personas se sienten **seguras** y saben que se **espera** de ellas que los
planteen.

## Canales

- su responsable, o el responsable de este
- Cumplimiento, Recursos Humanos o el departamento Jurídico
- la línea ética (teléfono o web), disponible las 24 horas, todos los días, y en más de 20 idiomas

## Anonimato

La línea ética permite a quien informa permanecer en el anonimato y, aun así,
hacer el seguimiento con una clave de denuncia y una contraseña. Las denuncias
anónimas se investigan como cualquier otra.

## Buena fe

No necesita pruebas. Plantee una inquietud de buena fe —creyendo sinceramente
que algo puede estar mal—, aunque al final resulte infundada.
"""

SPANISH: dict[str, Any] = {
    "name": "Fundamentos de una cultura para alzar la voz",
    "description": (
        "Para todas las personas de una organización cliente: cómo plantear inquietudes, cómo "
        "protege la organización a quienes informan y cómo gestionar los conflictos de "
        "intereses y los datos de las denuncias."
    ),
    "courses": [
        {
            "title": "Alzar la voz y la línea ética",
            "description": "Por qué importa denunciar pronto y qué canales existen.",
            "content": SPEAK_UP,
            "questions": {
                "su1": (
                    "Una empleada sospecha, aunque no puede demostrarlo, que se están "
                    "inflando facturas. ¿Qué debería hacer?",
                    [
                        "Reunir pruebas primero y después informar",
                        "Plantear la inquietud ahora, de buena fe",
                        "Esperar a ver si vuelve a ocurrir",
                    ],
                    "Basta con la buena fe: la creencia sincera de que algo puede estar mal. "
                    "Investigar es tarea del equipo que gestiona el caso.",
                ),
                "su2": (
                    "Quien denuncia de forma anónima a través de la línea ética puede "
                    "responder igualmente a preguntas de seguimiento.",
                    TRUE_FALSE,
                    "La clave de denuncia y la contraseña le permiten volver al caso sin "
                    "revelar quién es.",
                ),
                "su3": (
                    "¿Cuáles son canales legítimos para plantear una inquietud?",
                    [
                        "Su responsable",
                        "La línea ética",
                        "Cumplimiento",
                        "Una publicación pública en redes sociales",
                    ],
                    "Los canales internos van primero: permiten a la organización actuar con "
                    "rapidez y proteger a todas las personas implicadas.",
                ),
                "su4": (
                    "Las denuncias anónimas reciben menos prioridad que las nominativas.",
                    TRUE_FALSE,
                    "Cada denuncia se valora por su contenido, sin importar quién la envió.",
                ),
                "su5": (
                    "¿Qué anima más a las personas a alzar la voz?",
                    [
                        "Responsables que responden con agradecimiento y dan seguimiento",
                        "Una norma que obliga a denunciar",
                        "Recompensas por cada denuncia presentada",
                    ],
                    "Las personas alzan la voz allí donde ven que las inquietudes son bien "
                    "recibidas y se actúa en consecuencia.",
                ),
            },
        },
    ],
}
