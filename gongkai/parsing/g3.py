"""G3: the 2021 revised national template (国办公开办函〔2021〕30号), reports on 2021 onward.

Differs from G2 in 表二 (制发/废止/现行有效; 处理决定 only; 收费金额; no 政府集中采购) and in 表三
(（六）其他处理 split into three reasons). 表四 is unchanged.
"""

from __future__ import annotations

from gongkai.parsing.g2 import T2_HEAD, T3_HEAD, T3_TAIL, T4, head, t2, t3
from gongkai.parsing.template import Template

_DOCS = ("本年制发件数", "本年废止件数", "现行有效件数")
_DECISIONS = ("本年处理决定数量",)
ROWS = (
    *T2_HEAD,
    head("表二", "第二十条第（一）项", "第二十条第"),
    t2("第二十条第（一）项", "规章", _DOCS),
    t2("第二十条第（一）项", "行政规范性文件", _DOCS, keys=("行政规范性文件", "规范性文件")),
    head("表二", "第二十条第（五）项", "第二十条第"),
    t2("第二十条第（五）项", "行政许可", _DECISIONS),
    head("表二", "第二十条第（六）项", "第二十条第"),
    t2("第二十条第（六）项", "行政处罚", _DECISIONS),
    t2("第二十条第（六）项", "行政强制", _DECISIONS),
    head("表二", "第二十条第（八）项", "第二十条第"),
    t2("第二十条第（八）项", "行政事业性收费", ("本年收费金额（单位：万元）",)),
    *T3_HEAD,
    t3("三、本年度办理结果/（六）其他处理", "（六）其他处理", "其他处理", values_optional=True),
    t3(
        "（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    t3(
        "（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    t3("（六）其他处理/3.其他", "3.其他", "其他", prefix="3."),
    *T3_TAIL,
    *T4,
)

TEMPLATE = Template(generation="G3", name="G3:gbf-2021-30", rows=ROWS, start_keys=("第二十条第(一)项",))
