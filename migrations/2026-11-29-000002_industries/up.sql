-- Industry taxonomy: the 18 priority industries of 六新六特六优 plus the +N frontier fields.
-- Seeded from data/industries.json (a test checks the two agree).
CREATE TABLE industry_groups (
    code TEXT PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position SMALLINT NOT NULL UNIQUE
);

CREATE TABLE industries (
    code TEXT PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    group_code TEXT NOT NULL REFERENCES industry_groups (code),
    name_zh TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    aliases TEXT[] NOT NULL DEFAULT '{}',
    position SMALLINT NOT NULL UNIQUE
);

INSERT INTO industry_groups (code, name_zh, name_en, position) VALUES
    ('six_new', '六新', 'six new industries', 1),
    ('six_special', '六特', 'six characteristic industries', 2),
    ('six_advantage', '六优', 'six advantage service industries', 3),
    ('plus_n', '+N', 'frontier fields (+N)', 4);

INSERT INTO industries (code, group_code, name_zh, name_en, aliases, position) VALUES
    ('new_materials', 'six_new', '新型材料', 'new materials', ARRAY['新材料', '先进材料', '稀有金属材料', '电池材料', '碳基材料', '硅基材料', '光伏材料', '烯烃下游材料', '高性能纤维', '复合材料', '锂离子电池材料', '锂电材料', '铝镁合金', '电子信息材料', '稀有金属', '钽铌铍', '石墨烯', '增材制造', '单晶硅', '半导体材料']::TEXT[], 1),
    ('clean_energy', 'six_new', '清洁能源', 'clean energy', ARRAY['新能源', '光伏', '风电', '氢能', '储能', '可再生能源', '绿氢', '新能源综合示范区']::TEXT[], 2),
    ('equipment_manufacturing', 'six_new', '装备制造', 'equipment manufacturing', ARRAY['高端装备', '智能制造', '机械制造', '仪器仪表', '先进装备', '智能铸造', '智能仪表', '智能机床', '煤机装备']::TEXT[], 3),
    ('digital_information', 'six_new', '数字信息', 'digital information', ARRAY['数字经济', '大数据', '云计算', '算力', '人工智能', '信息技术', '软件', '数据中心', '东数西算', '信创', '数据要素', '电子信息']::TEXT[], 4),
    ('modern_chemicals', 'six_new', '现代化工', 'modern chemical industry', ARRAY['煤化工', '精细化工', '化工新材料', '现代煤化工', '煤制油', '煤制烯烃', '能源化工']::TEXT[], 5),
    ('light_textiles', 'six_new', '轻工纺织', 'light industry and textiles', ARRAY['纺织', '轻工', '羊绒', '食品加工', '棉纺', '化纤', '氨纶']::TEXT[], 6),
    ('wine', 'six_special', '葡萄酒', 'wine', ARRAY['酿酒葡萄', '贺兰山东麓葡萄酒', '葡萄种植', '酿酒']::TEXT[], 7),
    ('goji', 'six_special', '枸杞', 'goji (wolfberry)', ARRAY['宁夏枸杞', '枸杞子', '枸杞深加工', '枸杞粉', '中宁枸杞']::TEXT[], 8),
    ('dairy', 'six_special', '牛奶', 'dairy', ARRAY['奶产业', '奶牛', '乳制品', '乳业']::TEXT[], 9),
    ('beef_cattle', 'six_special', '肉牛', 'beef cattle', ARRAY['肉牛养殖', '牛肉', '犊牛']::TEXT[], 10),
    ('tan_sheep', 'six_special', '滩羊', 'Tan sheep', ARRAY['盐池滩羊', '肉羊', '羊肉']::TEXT[], 11),
    ('cool_vegetables', 'six_special', '冷凉蔬菜', 'cool-climate vegetables', ARRAY['蔬菜', '设施蔬菜', '露地蔬菜']::TEXT[], 12),
    ('cultural_tourism', 'six_advantage', '文化旅游', 'cultural tourism', ARRAY['文旅', '旅游', '文化和旅游']::TEXT[], 13),
    ('modern_logistics', 'six_advantage', '现代物流', 'modern logistics', ARRAY['物流', '冷链物流', '供应链']::TEXT[], 14),
    ('modern_finance', 'six_advantage', '现代金融', 'modern finance', ARRAY['金融', '科技金融', '普惠金融']::TEXT[], 15),
    ('health_elderly_care', 'six_advantage', '健康养老', 'health and elderly care', ARRAY['大健康', '养老', '医养结合', '康养']::TEXT[], 16),
    ('e_commerce', 'six_advantage', '电子商务', 'e-commerce', ARRAY['电商', '跨境电商', '直播电商']::TEXT[], 17),
    ('convention_exhibition', 'six_advantage', '会展博览', 'conventions and exhibitions', ARRAY['会展', '博览会', '中阿博览会', '展会']::TEXT[], 18),
    ('advanced_computing', 'plus_n', '先进算力', 'advanced computing power', ARRAY['算力', '智算', '超算', '数据中心']::TEXT[], 19),
    ('hydrogen', 'plus_n', '氢能', 'hydrogen energy', ARRAY['绿氢', '制氢', '储氢', '燃料电池']::TEXT[], 20);
