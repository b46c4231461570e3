"""Text templates of the rule-based coach, English and Russian.

Placeholders name the values of a rule's outcome (already formatted with units). Every fault has a
message (what was measured, against which threshold) and one concrete cue.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final[tuple[str, ...]] = ("en", "ru")

FAULTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "en": {
        "hips_rise_first": (
            "In the first pull the hips rose {hip} while the bar rose {bar} (ratio {ratio}, limit {limit}): "
            "the hips shoot up and the back angle opens before the bar passes the knee.",
            "Cue: push the floor away with the legs and keep the chest over the bar "
            "until it passes the knee."),
        "bar_forward_second_pull": (
            "The bar moved {value} forward in the second pull, more than {limit} ({pct} of height).",
            "Cue: keep the bar close and sweep it into the hips; finish up, not forward."),
        "early_arm_bend": (
            "The elbows bent to {value} before the power position (limit {limit}): the arms pull early.",
            "Cue: long, loose arms until the legs and hips finish; think of the arms as ropes."),
        "incomplete_extension": (
            "The hips reached only {value} at the finish (full extension is above {limit}).",
            "Cue: finish tall: drive the hips through to full extension before pulling under."),
        "bar_crash": (
            "The bar dropped {value} from its peak to the catch, more than {limit} ({pct} of height): "
            "the bar is received late and crashes.",
            "Cue: pull yourself under actively and meet the bar; lock the arms as the feet land."),
        "slow_turnover": (
            "The turnover took {value}, longer than {limit}.",
            "Cue: as soon as the hips finish, pull the elbows high and out and punch under fast."),
        "big_loop": (
            "The bar path looped {value} forward, more than {limit} ({pct} of height).",
            "Cue: keep the bar close at the finish and pull under it rather than letting it swing out."),
        "low_peak_velocity": (
            "Peak bar speed was {value}, below the {limit} typical of the lift.",
            "Cue: be patient through the knee, then accelerate hard into the finish."),
        "knee_asymmetry": (
            "The knees differed by {value} on average during the pull (limit {limit}).",
            "Cue: check foot placement and push evenly through both feet."),
    },
    "ru": {
        "hips_rise_first": (
            "В первой тяге таз поднялся на {hip}, а штанга на {bar} (отношение {ratio}, предел {limit}): "
            "таз уходит вверх и спина наклоняется раньше, чем штанга проходит колени.",
            "Подсказка: отталкивайте помост ногами и держите плечи над штангой, пока она не пройдёт колени."),
        "bar_forward_second_pull": (
            "Во второй тяге штанга ушла вперёд на {value}, больше {limit} ({pct} роста).",
            "Подсказка: держите штангу близко и подводите её к тазу; выпрямляйтесь вверх, а не вперёд."),
        "early_arm_bend": (
            "Локти согнулись до {value} ещё до положения силы (предел {limit}): руки тянут рано.",
            "Подсказка: руки длинные и расслабленные, пока ноги и таз не закончат разгон."),
        "incomplete_extension": (
            "Тазобедренный угол в финише только {value} (полное выпрямление больше {limit}).",
            "Подсказка: закончите разгон полностью выпрямившись, потом уходите под штангу."),
        "bar_crash": (
            "Штанга опустилась на {value} от высшей точки до фиксации, больше {limit} ({pct} роста): "
            "штанга принимается поздно и падает на вас.",
            "Подсказка: активно подтягивайте себя под штангу и встречайте её; "
            "фиксируйте руки с постановкой ног."),
        "slow_turnover": (
            "Подсед занял {value}, дольше {limit}.",
            "Подсказка: сразу после финиша разгона локти вверх и в стороны, быстро уходите под штангу."),
        "big_loop": (
            "Траектория штанги сделала петлю вперёд на {value}, больше {limit} ({pct} роста).",
            "Подсказка: держите штангу близко в финише и уходите под неё, не отпуская вперёд."),
        "low_peak_velocity": (
            "Максимальная скорость штанги {value}, ниже типичных {limit} для этого упражнения.",
            "Подсказка: спокойно проведите штангу через колени, затем резко ускоряйтесь в финише."),
        "knee_asymmetry": (
            "Углы в коленях различались в среднем на {value} во время тяги (предел {limit}).",
            "Подсказка: проверьте постановку стоп и давите в помост обеими ногами одинаково."),
    },
}

CAVEATS: Final[dict[str, dict[str, str]]] = {
    "en": {"camera_off_axis": "Caveat: the camera was not side-on ({value} off axis), so horizontal bar "
                              "movement and joint angles are less accurate."},
    "ru": {"camera_off_axis": "Оговорка: камера снимала не строго сбоку (отклонение {value}), поэтому "
                              "горизонтальное смещение штанги и углы суставов менее точны."},
}
CAVEAT_NO_ANGLE: Final[dict[str, str]] = {
    "en": "Caveat: the camera was not side-on, so horizontal bar movement and joint angles are "
          "less accurate.",
    "ru": "Оговорка: камера снимала не строго сбоку, поэтому горизонтальное смещение и углы менее точны.",
}

PHRASES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "measured": "Measured: {items}.",
        "reference": "reference {range}",
        "no_fault": "No fault flagged here by the rules.",
        "clean_lift": "No rule flagged a fault in this lift.",
        "faults_found": "Main points, in order of priority:",
        "not_measured": "Not measured reliably: {items}.",
        "nothing": "Not enough reliable data for this comment.",
        "source": "Source: liftlab rule-based coach{rules}.",
        "rules": " (rules: {items})",
        "range": "{low} to {high}", "at_most": "at most {high}", "at_least": "at least {low}",
        "of_height": "{lo} % to {hi} % of height", "height_assumed": "height unknown, {height} assumed",
    },
    "ru": {
        "measured": "Измерено: {items}.",
        "reference": "норма {range}",
        "no_fault": "Правила здесь ошибок не нашли.",
        "clean_lift": "Правила не нашли ошибок в этом подъёме.",
        "faults_found": "Главное, по порядку важности:",
        "not_measured": "Надёжно не измерено: {items}.",
        "nothing": "Недостаточно надёжных данных для комментария.",
        "source": "Источник: алгоритмический тренер liftlab{rules}.",
        "rules": " (правила: {items})",
        "range": "от {low} до {high}", "at_most": "не более {high}", "at_least": "не менее {low}",
        "of_height": "от {lo} до {hi} % роста", "height_assumed": "рост неизвестен, принят {height}",
    },
}

LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "max_bar_speed": "peak bar speed", "bar_past_the_knee_speed": "bar speed past the knee",
        "bar_past_the_knee_acceleration": "bar acceleration past the knee",
        "time_to_peak_velocity_s": "time to peak speed", "turnover_duration_s": "turnover time",
        "max_power": "peak bar power", "max_power_per_kg": "peak power per kg of body mass",
        "max_GRF": "peak ground reaction force", "max_GRF_body_weights": "peak force in body weights",
        "bar_path_type": "bar path type", "second_pull_dx_m": "bar shift in the second pull",
        "first_pull_dx_m": "bar shift in the first pull", "bar_loop_m": "bar loop",
        "drop_under_bar_m": "drop under the bar", "total_time": "lift time",
        "peak_bar_height_m": "peak bar height", "peak_bar_height_pct_height": "peak bar height (% of height)",
        "catch_time": "catch time", "peak_hip_vy_mps": "peak hip rise speed",
        "hip_rise_first_pull_m": "hip rise in the first pull",
        "bar_rise_first_pull_m": "bar rise in the first pull",
        "hip_to_bar_rise_ratio": "hip-to-bar rise ratio", "shin_angle_start_deg": "shin angle at lift-off",
        "shin_angle_first_pull_end_deg": "shin angle with the bar at the knee",
        "torso_angle_start_deg": "torso angle at lift-off",
        "torso_angle_first_pull_end_deg": "torso angle with the bar at the knee",
        "hip_angle_extension_deg": "hip angle at the finish",
        "knee_angle_extension_deg": "knee angle at the finish",
        "knee_asymmetry_deg": "left-right knee difference",
        "first_pull_bar_angle_deg": "first-pull bar angle",
        "min_elbow_angle_pull_deg": "smallest elbow angle before the power position",
        "shoulder_rise_pull_m": "shoulder rise through the pull",
    },
    "ru": {
        "max_bar_speed": "максимальная скорость штанги", "bar_past_the_knee_speed": "скорость штанги у колен",
        "bar_past_the_knee_acceleration": "ускорение штанги у колен",
        "time_to_peak_velocity_s": "время до максимальной скорости", "turnover_duration_s": "время подседа",
        "max_power": "пиковая мощность", "max_power_per_kg": "пиковая мощность на кг массы тела",
        "max_GRF": "пиковая сила реакции опоры", "max_GRF_body_weights": "пиковая сила в весах тела",
        "bar_path_type": "тип траектории", "second_pull_dx_m": "смещение штанги во второй тяге",
        "first_pull_dx_m": "смещение штанги в первой тяге", "bar_loop_m": "петля траектории",
        "drop_under_bar_m": "опускание штанги при подседе", "total_time": "время подъёма",
        "peak_bar_height_m": "максимальная высота штанги",
        "peak_bar_height_pct_height": "максимальная высота штанги (% роста)",
        "catch_time": "время фиксации", "peak_hip_vy_mps": "максимальная скорость подъёма таза",
        "hip_rise_first_pull_m": "подъём таза в первой тяге",
        "bar_rise_first_pull_m": "подъём штанги в первой тяге",
        "hip_to_bar_rise_ratio": "отношение подъёма таза к подъёму штанги",
        "shin_angle_start_deg": "угол голени на старте",
        "shin_angle_first_pull_end_deg": "угол голени, когда штанга у колен",
        "torso_angle_start_deg": "угол туловища на старте",
        "torso_angle_first_pull_end_deg": "угол туловища, когда штанга у колен",
        "hip_angle_extension_deg": "тазобедренный угол в финише",
        "knee_angle_extension_deg": "угол колена в финише",
        "knee_asymmetry_deg": "разница углов левого и правого колена",
        "first_pull_bar_angle_deg": "угол траектории в первой тяге",
        "min_elbow_angle_pull_deg": "наименьший угол в локтях до положения силы",
        "shoulder_rise_pull_m": "подъём плеч за тягу",
    },
}


# bar_path_type values (pipelines/metrics: against a vertical line through the bar's start).
PATH_TYPES: Final[dict[str, dict[str, str]]] = {
    "en": {"behind_line": "stays behind the start line", "crosses_line": "crosses the start line",
           "away_first": "moves away from the lifter first"},
    "ru": {"behind_line": "не заходит за линию старта", "crosses_line": "пересекает линию старта",
           "away_first": "сначала уходит от атлета"},
}

# Display units in Russian texts (values are formatted language-neutrally in the findings document).
UNITS: Final[dict[str, dict[str, str]]] = {
    "en": {},
    "ru": {"cm": "см", "in": "дюйм", "m/s": "м/с", "ft/s": "фут/с", "m/s^2": "м/с²", "ft/s^2": "фут/с²",
           "N": "Н", "lbf": "фунт-сила", "W": "Вт", "kg": "кг", "lb": "фунт", "s": "с", "W/kg": "Вт/кг",
           "x body weight": "веса тела"},
}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language: expected one of {LANGUAGES}, got {language!r}")
    return language
